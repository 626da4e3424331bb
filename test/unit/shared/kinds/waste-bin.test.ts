import { describe, expect, it } from 'vitest';
import { wasteBin } from '../../../../shared/kinds/wasteBin/index.ts';
import { readingWith, validReadings } from '../../fixtures.ts';

const accepts = (metrics: Record<string, unknown>) =>
  wasteBin.reading.safeParse(readingWith('wasteBin', metrics)).success;

describe('wasteBin reading', () => {
  it('accepts a complete reading', () => {
    expect(wasteBin.reading.parse(validReadings.wasteBin)).toEqual(validReadings.wasteBin);
  });

  it('accepts freezing temperatures and a bin lying on its side', () => {
    expect(accepts({ temperature: -20, tiltAngle: 90 })).toBe(true);
  });

  it.each([
    ['fillingLevel above 100', { fillingLevel: 100.5 }],
    ['a negative battery level', { batteryLevel: -1 }],
    ['a tilt beyond 180°', { tiltAngle: 181 }],
    ['NaN temperature', { temperature: Number.NaN }],
    ['lidOpen as a string', { lidOpen: 'false' }],
    ['lidOpen as a number', { lidOpen: 0 }],
    ['an unknown status', { status: 'full' }],
    ['a dateLastEmptying that is not a date', { dateLastEmptying: 'last week' }],
    ['a dateLastEmptying as epoch ms', { dateLastEmptying: 1_795_363_200_000 }],
    ['an unknown metric', { weight: 12 }],
  ])('rejects %s', (_, metrics) => {
    expect(accepts(metrics)).toBe(false);
  });
});

describe('wasteBin commands', () => {
  it('accepts requestStatus only', () => {
    const command = (c: unknown) =>
      wasteBin.command.safeParse({ deviceId: 'bin-1', kind: 'wasteBin', command: c });
    expect(command({ action: 'requestStatus' }).success).toBe(true);
    expect(command({ action: 'reboot' }).success).toBe(false);
    expect(command({ action: 'setDimming', level: 50 }).success).toBe(false);
  });
});
