import { describe, expect, it } from 'vitest';
import { camera } from '../../../../shared/kinds/camera/index.ts';
import { readingWith, validReadings } from '../../fixtures.ts';

const accepts = (metrics: Record<string, unknown>) =>
  camera.reading.safeParse(readingWith('camera', metrics)).success;

describe('camera reading', () => {
  it('accepts a complete reading of counts and link quality', () => {
    expect(camera.reading.parse(validReadings.camera)).toEqual(validReadings.camera);
  });

  it('sends counts only: fields that could carry personal data are rejected', () => {
    expect(accepts({ faceImage: 'data:image/jpeg;base64,/9j/4AAQ' })).toBe(false);
    expect(accepts({ licensePlate: '1-ABC-123' })).toBe(false);
    expect(accepts({ snapshot: 'aGVsbG8=' })).toBe(false);
    const result = camera.reading.safeParse(readingWith('camera', { licensePlate: '1-ABC-123' }));
    expect(result.error?.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['licensePlate'] });
  });

  it('rejects a personal data field even when it is the only one', () => {
    const reading = { ...validReadings.camera, metrics: { faceImage: 'x' } };
    expect(camera.reading.safeParse(reading).success).toBe(false);
  });

  it.each([
    ['a fractional peopleCount', { peopleCount: 12.5 }],
    ['a negative peopleCount', { peopleCount: -1 }],
    ['peopleCount as a string', { peopleCount: '12' }],
    ['a NaN peopleCount', { peopleCount: Number.NaN }],
    ['a fractional vehicleCount', { vehicleCount: 0.5 }],
    ['an rsrp above -20 dBm', { rsrp: -10 }],
    ['an unknown stream status', { streamStatus: 'recording' }],
    ['tamperDetected as a number', { tamperDetected: 1 }],
  ])('rejects %s', (_, metrics) => {
    expect(accepts(metrics)).toBe(false);
  });
});

describe('camera commands', () => {
  const command = (c: unknown) => camera.command.safeParse({ deviceId: 'cam-1', kind: 'camera', command: c });

  it('accepts reboot and a reporting interval within 1-3600 s', () => {
    expect(command({ action: 'reboot' }).success).toBe(true);
    expect(command({ action: 'setReportingInterval', seconds: 1 }).success).toBe(true);
    expect(command({ action: 'setReportingInterval', seconds: 3_600 }).success).toBe(true);
  });

  it('rejects street light actions and bad intervals', () => {
    expect(command({ action: 'setDimming', level: 50 }).success).toBe(false);
    expect(command({ action: 'setReportingInterval', seconds: 0 }).success).toBe(false);
    expect(command({ action: 'setReportingInterval', seconds: 1.5 }).success).toBe(false);
    expect(command({ action: 'setReportingInterval', seconds: 3_601 }).success).toBe(false);
  });
});
