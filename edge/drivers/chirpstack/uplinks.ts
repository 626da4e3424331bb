import { describeIssues } from '../../../shared/issues.ts';
import { type DeviceEvent, deviceEvent, kinds, type Reading, reading } from '../../../shared/kinds/index.ts';
import type { StatusEvent, UplinkEvent } from './chirpstack-events.ts';
import { type Codec, type DecodedData, decodedData, decodeResult } from './codec.ts';
import type { LoRaDevice } from './device-table.ts';
import { CodecSandboxError } from './sandbox/failure.ts';

/** What one ChirpStack event became: readings and events of our kinds, or why it became nothing. */
export type Telemetry =
  | { ok: true; readings: Reading[]; events: DeviceEvent[]; warnings: string[] }
  | { ok: false; code: string; message: string };

const fail = (code: string, message: string): Telemetry => ({ ok: false, code, message });

/** When it happened: ChirpStack's time (nanoseconds cut to milliseconds), or now if it sent none. */
export function eventTime(time: string | undefined, now: Date): string {
  return (time === undefined ? now : new Date(time)).toISOString();
}

/**
 * A codec's data as readings and events of the device's kind, each checked against the kind's
 * schema (shared/kinds): a metric the kind does not have, a value out of its bounds or an event it
 * does not know fails the whole uplink, which is then counted, not half stored.
 */
export function telemetryOf(
  device: LoRaDevice,
  data: DecodedData,
  ts: string,
  warnings: string[],
): Telemetry {
  const { deviceId, kind } = device;
  const readings: Reading[] = [];
  if (data.metrics && Object.keys(data.metrics).length > 0) {
    const parsed = reading.safeParse({ deviceId, kind, ts, metrics: data.metrics });
    if (!parsed.success) return fail('invalidReading', describeIssues(parsed.error));
    readings.push(parsed.data);
  }
  const events: DeviceEvent[] = [];
  for (const { type, values } of data.events ?? []) {
    const parsed = deviceEvent.safeParse({ deviceId, kind, ts, type, ...(values ? { values } : {}) });
    if (!parsed.success) return fail('invalidEvent', describeIssues(parsed.error));
    events.push(parsed.data);
  }
  return { ok: true, readings, events, warnings };
}

/** An uplink decoded by the device's codec (ChirpStack's `object` for a `chirpstack` model). */
export async function readUplink(
  device: LoRaDevice,
  codec: Codec | undefined,
  event: UplinkEvent,
  now: Date,
): Promise<Telemetry> {
  const ts = eventTime(event.time, now);
  if (!codec) {
    if (event.object === undefined) return fail('noDecodedObject', 'ChirpStack sent no decoded object');
    const data = decodedData.safeParse(event.object);
    if (!data.success) return fail('codecBadOutput', describeIssues(data.error));
    return telemetryOf(device, data.data, ts, []);
  }
  let output: unknown;
  try {
    output = await codec.decodeUplink({
      bytes: [...Buffer.from(event.data, 'base64')],
      fPort: event.fPort,
      recvTime: new Date(ts),
      variables: device.variables,
    });
  } catch (error) {
    const code = error instanceof CodecSandboxError ? error.code : 'codecThrew';
    return fail(code, (error as Error).message);
  }
  const result = decodeResult.safeParse(output);
  if (!result.success) return fail('codecBadOutput', describeIssues(result.error));
  const { data, warnings = [], errors = [] } = result.data;
  if (errors.length > 0 || !data) return fail('codecErrors', errors.join('; '));
  return telemetryOf(device, data, ts, warnings);
}

/**
 * A status event (the device's answer to DevStatusReq) as a `batteryLevel` reading, for a kind that
 * has that metric and a device on battery; nothing otherwise.
 */
export function readStatus(device: LoRaDevice, event: StatusEvent, now: Date): Telemetry {
  const hasBattery = 'batteryLevel' in kinds[device.kind].metrics.shape;
  if (!hasBattery || event.externalPowerSource || event.batteryLevelUnavailable)
    return { ok: true, readings: [], events: [], warnings: [] };
  const metrics = { batteryLevel: Math.round(event.batteryLevel * 10) / 10 };
  return telemetryOf(device, { metrics }, eventTime(event.time, now), []);
}
