import { describe, expect, it } from 'vitest';
import {
  collectedKinds,
  collectionDue,
  dailyTotalQueries,
  KindTally,
} from '../../../../cloud/dashboards/fleet-summary.ts';
import type { DeviceView } from '../../../../cloud/registry/registry.ts';
import { type DeviceKind, deviceKind, type MetricValue } from '../../../../shared/kinds/index.ts';

const now = new Date('2026-11-22T16:00:00Z');
const options = { binThreshold: 80, maxDaysWithoutEmptying: 7, now };
/** The figures of the devices, counted one by one. */
const kindFigures = (devices: DeviceView[]) => {
  const tally = new KindTally(options);
  for (const d of devices) tally.add(d);
  return tally.figures();
};
let n = 0;
const device = (kind: DeviceKind, latest: Record<string, MetricValue>, status = 'online'): DeviceView =>
  ({
    id: `d-${n++}`,
    kind,
    gatewayId: 'gw-centrum-01',
    district: 'centrum',
    provisioned: true,
    latest,
    status,
  }) as DeviceView;

describe('KindTally', () => {
  it('gives every kind its total and online count, even without devices', () => {
    const figures = kindFigures([]);
    expect(Object.keys(figures).sort()).toEqual([...deviceKind.options].sort());
    for (const kind of deviceKind.options) expect(figures[kind]).toMatchObject({ total: 0, online: 0 });
  });

  it("counts each kind's devices by the tests it declares", () => {
    const figures = kindFigures([
      device('streetlight', { powerState: 'on', status: 'ok' }),
      device('streetlight', { powerState: 'low', status: 'defectiveLamp' }, 'offline'),
      device('streetlight', { powerState: 'off' }),
      device('wasteBin', { fillingLevel: 80 }),
      device('wasteBin', { fillingLevel: 79.9, dateLastEmptying: '2026-11-14T16:00:00Z' }),
      device('wasteBin', { fillingLevel: 10, status: 'burning' }),
      device('camera', { streamStatus: 'online' }, 'offline'),
      device('camera', { streamStatus: 'online', tamperDetected: true }),
    ]);
    expect(figures.streetlight).toEqual({ total: 3, online: 2, on: 2, off: 1, faulty: 1 });
    expect(figures.wasteBin).toEqual({
      total: 3,
      online: 3,
      aboveThreshold: 1,
      dueForCollection: 2,
      fireRisk: 1,
    });
    expect(figures.camera).toEqual({ total: 2, online: 1, streaming: 1, tampered: 1 });
  });

  it('derives the chargers utilisation from the occupied connectors', () => {
    const figures = kindFigures([
      device('evCharger', { connectorStatus: 'Charging' }),
      device('evCharger', { connectorStatus: 'SuspendedEV' }),
      device('evCharger', { connectorStatus: 'Available' }),
      device('evCharger', { connectorStatus: 'Available' }, 'offline'),
      device('evCharger', { connectorStatus: 'Faulted', errorCode: 'GroundFailure' }),
      device('evCharger', { connectorStatus: 'Finishing' }),
    ]);
    expect(figures.evCharger).toEqual({
      total: 6,
      online: 5,
      charging: 1,
      occupied: 3,
      available: 1,
      faulted: 1,
      utilisationPercent: 50,
    });
  });

  it('counts one view reused for every device as the devices it showed in turn, and goes on after its figures', () => {
    const tally = new KindTally(options);
    const view = device('evCharger', { connectorStatus: 'Charging' });
    tally.add(view);
    view.latest = { connectorStatus: 'Available' };
    tally.add(view);
    expect(tally.figures().evCharger).toMatchObject({
      total: 2,
      charging: 1,
      available: 1,
      utilisationPercent: 50,
    });
    view.latest = { connectorStatus: 'Available' };
    view.status = 'offline';
    tally.add(view);
    expect(tally.figures().evCharger).toMatchObject({
      total: 3,
      online: 2,
      available: 1,
      utilisationPercent: 33.3,
    });
  });
});

describe('collection rounds', () => {
  it('are for the kinds that declare one, by their rule', () => {
    expect(collectedKinds).toEqual(['wasteBin']);
    expect(collectionDue(device('wasteBin', { fillingLevel: 80 }), options)).toBe(true);
    expect(
      collectionDue(device('wasteBin', { fillingLevel: 20, dateLastEmptying: now.toISOString() }), options),
    ).toBe(false);
    expect(collectionDue(device('streetlight', { fillingLevel: 99 } as never), options)).toBe(false);
  });
});

describe('dailyTotalQueries', () => {
  it('sums counts, adds up meter increases per device and counts events, in the window', () => {
    const queries = dailyTotalQueries('time >= 0ms');
    const query = (kind: string, name: string) =>
      queries.find((q) => q.kind === kind && q.name === name)?.influxql;
    expect(query('streetlight', 'energyTodayKWh')).toBe(
      'SELECT SUM("s") FROM (SELECT SPREAD("energyConsumed") AS "s" FROM "streetlight" WHERE time >= 0ms GROUP BY "device")',
    );
    expect(query('camera', 'peopleToday')).toBe('SELECT SUM("peopleCount") FROM "camera" WHERE time >= 0ms');
    expect(query('evCharger', 'sessionsToday')).toBe(
      `SELECT COUNT("count") FROM "device_event" WHERE "kind" = 'evCharger' AND "type" = 'sessionStarted' AND time >= 0ms`,
    );
    expect(query('evCharger', 'energyTodayKWh')).toContain('SPREAD("cumulativeEnergy")');
  });
});
