import { describe, expect, it } from 'vitest';
import { streetlight } from '../../../../shared/kinds/streetlight/index.ts';
import { readingWith, validReadings } from '../../fixtures.ts';

const accepts = (metrics: Record<string, unknown>) =>
  streetlight.reading.safeParse(readingWith('streetlight', metrics)).success;

describe('streetlight reading', () => {
  it('accepts a complete reading', () => {
    expect(streetlight.reading.parse(validReadings.streetlight)).toEqual(validReadings.streetlight);
  });

  it('accepts the bounds of dimmingLevel', () => {
    expect(accepts({ dimmingLevel: 0 })).toBe(true);
    expect(accepts({ dimmingLevel: 100 })).toBe(true);
    expect(accepts({ dimmingLevel: 55.5 })).toBe(true);
  });

  it.each([
    ['dimmingLevel 101', { dimmingLevel: 101 }],
    ['dimmingLevel -1', { dimmingLevel: -1 }],
    ['negative activePower', { activePower: -0.1 }],
    ['powerFactor above 1', { powerFactor: 1.01 }],
    ['NaN voltage', { voltage: Number.NaN }],
    ['infinite energy', { energyConsumed: Number.POSITIVE_INFINITY }],
    ['a number as a string', { activePower: '12' }],
    ['a boolean as dimming level', { dimmingLevel: true }],
    ['null', { voltage: null }],
    ['an unknown power state', { powerState: 'dimmed' }],
    ['an unknown status', { status: 'broken' }],
    ['an unknown metric', { colourTemperature: 3000 }],
  ])('rejects %s', (_, metrics) => {
    expect(accepts(metrics)).toBe(false);
  });
});

describe('streetlight commands', () => {
  const command = (c: unknown) =>
    streetlight.command.safeParse({ deviceId: 'lamp-1', kind: 'streetlight', command: c });

  it('accepts switch, setDimming and returnToSchedule', () => {
    expect(command({ action: 'switch', on: false }).success).toBe(true);
    expect(command({ action: 'setDimming', level: 50 }).success).toBe(true);
    expect(command({ action: 'returnToSchedule' }).success).toBe(true);
  });

  it('rejects out-of-range levels, missing arguments and stray fields', () => {
    expect(command({ action: 'setDimming', level: 150 }).success).toBe(false);
    expect(command({ action: 'setDimming', level: -1 }).success).toBe(false);
    expect(command({ action: 'setDimming' }).success).toBe(false);
    expect(command({ action: 'switch', on: 'yes' }).success).toBe(false);
    expect(command({ action: 'returnToSchedule', level: 10 }).success).toBe(false);
    expect(command({ action: 'reboot' }).success).toBe(false);
  });
});

describe('streetlight events', () => {
  it('knows lamp faults and refuses bin events', () => {
    const event = { deviceId: 'lamp-1', kind: 'streetlight', ts: '2026-11-22T16:00:00Z' };
    expect(streetlight.event.safeParse({ ...event, type: 'lampFault' }).success).toBe(true);
    expect(streetlight.event.safeParse({ ...event, type: 'emptied' }).success).toBe(false);
  });
});
