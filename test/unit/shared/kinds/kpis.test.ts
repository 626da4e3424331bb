import { describe, expect, it } from 'vitest';
import { kinds } from '../../../../shared/kinds/index.ts';
import type { SummaryOptions } from '../../../../shared/kinds/kind.ts';

/**
 * Each kind's KPI predicates, case by case: which devices the fleet summary counts as on, faulty,
 * streaming, charging… A wrong operator in a declaration changes a figure a technician reads.
 */
const now = new Date('2026-11-22T12:00:00.000Z');
const options: SummaryOptions = { binThreshold: 80, maxDaysWithoutEmptying: 7, now };
type Case = [status: string, latest: Record<string, unknown>, expected: Record<string, boolean>];

const cases: { [K in keyof typeof kinds]: Case[] } = {
  streetlight: [
    ['online', { powerState: 'on', status: 'ok' }, { on: true, off: false, faulty: false }],
    ['online', { powerState: 'low' }, { on: true, off: false }],
    ['online', { powerState: 'off' }, { on: false, off: true }],
    ['offline', { powerState: 'bootingUp' }, { on: false, off: false }],
    ['online', { status: 'defectiveLamp' }, { faulty: true }],
  ],
  wasteBin: [
    ['online', { fillingLevel: 80 }, { aboveThreshold: true, dueForCollection: true, fireRisk: false }],
    ['online', { fillingLevel: 79.9 }, { aboveThreshold: false, dueForCollection: false }],
    ['online', {}, { aboveThreshold: false, fireRisk: false }],
    ['online', { status: 'burning' }, { fireRisk: true }],
    ['online', { status: 'dropped' }, { fireRisk: false }],
  ],
  camera: [
    ['online', { streamStatus: 'online' }, { streaming: true, tampered: false }],
    ['offline', { streamStatus: 'online' }, { streaming: false }],
    ['online', { streamStatus: 'degraded' }, { streaming: false }],
    ['online', { tamperDetected: true }, { tampered: true }],
    ['online', { tamperDetected: false }, { tampered: false }],
  ],
  evCharger: [
    [
      'online',
      { connectorStatus: 'Charging' },
      { charging: true, occupied: true, available: false, faulted: false },
    ],
    ['online', { connectorStatus: 'Available' }, { charging: false, occupied: false, available: true }],
    ['offline', { connectorStatus: 'Available' }, { available: false }],
    ['online', { connectorStatus: 'Finishing' }, { charging: false, occupied: true }],
    ['online', { connectorStatus: 'Faulted' }, { faulted: true, occupied: false, available: false }],
    ['online', {}, { charging: false, occupied: false, available: false, faulted: false }],
  ],
};

describe.each(Object.keys(cases) as (keyof typeof kinds)[])('the %s KPIs', (kind) => {
  const counts = kinds[kind].counts as Record<string, (d: unknown, o: SummaryOptions) => boolean>;
  it.each(cases[kind])('a device %s with %j', (status, latest, expected) => {
    for (const [name, value] of Object.entries(expected)) {
      expect(counts[name]?.({ status, latest }, options), name).toBe(value);
    }
  });
});

describe('a waste bin is due for collection', () => {
  const due = kinds.wasteBin.collectionDue as (latest: object, o: SummaryOptions) => boolean;
  const daysAgo = (days: number, ms = 0) => new Date(now.getTime() - days * 86_400_000 - ms).toISOString();
  it.each([
    [{ fillingLevel: 80 }, true],
    [{ fillingLevel: 79.9 }, false],
    [{ fillingLevel: 0, dateLastEmptying: daysAgo(7, 1) }, true],
    [{ fillingLevel: 0, dateLastEmptying: daysAgo(7) }, false],
    [{ dateLastEmptying: daysAgo(6) }, false],
    [{}, false],
  ])('%j: %s', (latest, expected) => {
    expect(due(latest, options)).toBe(expected);
  });
});
