import { describe, expect, it } from 'vitest';
import type { StatusEvent, UplinkEvent } from '../../../../edge/drivers/chirpstack/chirpstack-events.ts';
import type { Codec } from '../../../../edge/drivers/chirpstack/codec.ts';
import { milesightEm310Udl } from '../../../../edge/drivers/chirpstack/codecs/milesight-em310-udl.ts';
import type { LoRaDevice } from '../../../../edge/drivers/chirpstack/device-table.ts';
import { CodecSandboxError } from '../../../../edge/drivers/chirpstack/sandbox/failure.ts';
import {
  eventTime,
  readStatus,
  readUplink,
  telemetryOf,
} from '../../../../edge/drivers/chirpstack/uplinks.ts';

const now = new Date('2026-11-01T12:00:00.000Z');
const bin: LoRaDevice = {
  devEui: '24e124128c140062',
  deviceId: 'bin-1',
  kind: 'wasteBin',
  model: 'em310',
  codec: { type: 'builtIn', codec: milesightEm310Udl },
  variables: { emptyDistanceMm: '1600', fullDistanceMm: '400' },
  confirmed: false,
};
const lamp: LoRaDevice = { ...bin, deviceId: 'lamp-1', kind: 'streetlight', model: 'ul2030' };
const deviceInfo = { applicationId: 'app', devEui: bin.devEui };
const uplink = (data: string, extra: Partial<UplinkEvent> = {}): UplinkEvent => ({
  deduplicationId: 'd1',
  time: '2026-11-01T11:59:58.123456789+00:00',
  deviceInfo,
  fPort: 85,
  data: Buffer.from(data.replace(/\s/g, ''), 'hex').toString('base64'),
  ...extra,
});
const status = (extra: Partial<StatusEvent>): StatusEvent => ({
  deduplicationId: 's1',
  time: '2026-11-01T11:59:58Z',
  deviceInfo,
  margin: 7,
  externalPowerSource: false,
  batteryLevelUnavailable: false,
  batteryLevel: 88.34,
  ...extra,
});
const ts = '2026-11-01T11:59:58.123Z';
const codecAnswering = (answer: unknown): Codec => ({
  decodeUplink: () => answer as never,
  encodeDownlink: () => ({ errors: ['none'] }),
});

describe('uplinks as readings of our kinds', () => {
  it("takes ChirpStack's time to the millisecond, or now when it sent none", () => {
    expect(eventTime('2022-07-18T09:34:15.775023242+00:00', now)).toBe('2022-07-18T09:34:15.775Z');
    expect(eventTime('2022-07-18T11:34:15+02:00', now)).toBe('2022-07-18T09:34:15.000Z');
    expect(eventTime(undefined, now)).toBe(now.toISOString());
  });

  it("decodes an uplink's base64 frame with the device's codec and variables", async () => {
    expect(await readUplink(bin, milesightEm310Udl, uplink('017564 03822003 040000'), now)).toEqual({
      ok: true,
      readings: [
        { deviceId: 'bin-1', kind: 'wasteBin', ts, metrics: { batteryLevel: 100, fillingLevel: 66.7 } },
      ],
      events: [],
      warnings: [],
    });
  });

  it('passes the codec the frame, its port, the time and the variables', async () => {
    const inputs: unknown[] = [];
    const spy: Codec = {
      decodeUplink: (input) => {
        inputs.push(input);
        return { data: {} };
      },
      encodeDownlink: () => ({ errors: [] }),
    };
    await readUplink(bin, spy, uplink('0102ff', { fPort: 7 }), now);
    expect(inputs).toEqual([
      { bytes: [1, 2, 255], fPort: 7, recvTime: new Date(ts), variables: bin.variables },
    ]);
  });

  it('keeps events with the reading, and the warnings for the log', async () => {
    expect(await readUplink(bin, milesightEm310Udl, uplink('01755C 03824408 040001'), now)).toEqual({
      ok: true,
      readings: [{ deviceId: 'bin-1', kind: 'wasteBin', ts, metrics: { batteryLevel: 92 } }],
      events: [{ deviceId: 'bin-1', kind: 'wasteBin', ts, type: 'tilted' }],
      warnings: ['the sensor is tilted: its distance is not a filling level'],
    });
  });

  it("uses ChirpStack's decoded object for a model whose codec runs there", async () => {
    const object = {
      metrics: { fillingLevel: 12.5 },
      events: [{ type: 'lidOpened', values: { fillingLevel: 99 } }],
    };
    expect(await readUplink(bin, undefined, uplink('', { object }), now)).toEqual({
      ok: true,
      readings: [{ deviceId: 'bin-1', kind: 'wasteBin', ts, metrics: { fillingLevel: 12.5 } }],
      events: [{ deviceId: 'bin-1', kind: 'wasteBin', ts, type: 'lidOpened', values: { fillingLevel: 99 } }],
      warnings: [],
    });
    expect(await readUplink(bin, undefined, uplink('00'), now)).toMatchObject({
      ok: false,
      code: 'noDecodedObject',
    });
    expect(await readUplink(bin, undefined, uplink('', { object: { fillingLevel: 3 } }), now)).toMatchObject({
      ok: false,
      code: 'codecBadOutput',
    });
  });

  it.each([
    ['codecErrors', { errors: ['unknown channel'] }, 'unknown channel'],
    ['codecErrors', { data: { metrics: { fillingLevel: 1 } }, errors: ['half read'] }, 'half read'],
    ['codecBadOutput', { data: { metrics: {} }, extra: 1 }, '(message): 1 unknown field'],
    ['codecBadOutput', {}, '(message): an answer has data, or errors when it failed'],
    ['invalidReading', { data: { metrics: { fillingLevel: 101 } } }, 'metrics.fillingLevel'],
    ['invalidReading', { data: { metrics: { dimmingLevel: 50 } } }, 'metrics: unknown field "dimmingLevel"'],
    ['invalidEvent', { data: { events: [{ type: 'lampFault' }] } }, 'type'],
    ['invalidEvent', { data: { events: [{ type: 'batteryLow', values: { batteryLevel: -1 } }] } }, 'values'],
  ])('fails an uplink whole as %s when the codec answers %j', async (code, answer, message) => {
    const result = await readUplink(bin, codecAnswering(answer), uplink('00'), now);
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok === false && result.message).toContain(message);
  });

  it('reports a sandbox failure by its code, anything else a codec throws as codecThrew', async () => {
    const timingOut: Codec = {
      decodeUplink: () => Promise.reject(new CodecSandboxError('codecTimeout', 'InternalError: interrupted')),
      encodeDownlink: () => ({ errors: [] }),
    };
    expect(await readUplink(bin, timingOut, uplink('00'), now)).toEqual({
      ok: false,
      code: 'codecTimeout',
      message: 'InternalError: interrupted',
    });
    const throwing: Codec = {
      decodeUplink: () => {
        throw new RangeError('offset out of range');
      },
      encodeDownlink: () => ({ errors: [] }),
    };
    expect(await readUplink(bin, throwing, uplink('00'), now)).toEqual({
      ok: false,
      code: 'codecThrew',
      message: 'offset out of range',
    });
  });

  it('keeps no reading of a frame with no metrics (a device-information frame)', () => {
    expect(telemetryOf(bin, { metrics: {} }, ts, [])).toEqual({
      ok: true,
      readings: [],
      events: [],
      warnings: [],
    });
  });
});

describe('status events as battery readings', () => {
  it('reads the battery level of a kind that has one, to 0.1 %', () => {
    expect(readStatus(bin, status({}), now)).toEqual({
      ok: true,
      readings: [
        {
          deviceId: 'bin-1',
          kind: 'wasteBin',
          ts: '2026-11-01T11:59:58.000Z',
          metrics: { batteryLevel: 88.3 },
        },
      ],
      events: [],
      warnings: [],
    });
    expect(readStatus(bin, status({ batteryLevel: 0 }), now)).toMatchObject({
      readings: [{ metrics: { batteryLevel: 0 } }],
    });
  });

  it('reads nothing for a device on mains, without a level, or of a kind with no battery', () => {
    const none = { ok: true, readings: [], events: [], warnings: [] };
    expect(readStatus(bin, status({ externalPowerSource: true }), now)).toEqual(none);
    expect(readStatus(bin, status({ batteryLevelUnavailable: true }), now)).toEqual(none);
    expect(readStatus(lamp, status({}), now)).toEqual(none);
  });
});
