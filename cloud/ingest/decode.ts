import type { z } from 'zod';
import { describeIssues } from '../../shared/issues.ts';
import { type DeviceEvent, deviceEvent, type Reading, reading } from '../../shared/kinds/index.ts';
import {
  type CommandResult,
  type ConfigStatus,
  commandResult,
  configStatus,
  eventEnvelope,
  type GatewayHeartbeat,
  type GatewayStatus,
  gatewayHeartbeat,
  gatewayStatus,
  telemetryEnvelope,
} from '../../shared/messages.ts';
import { parseStrictJson } from '../../shared/strict-json.ts';
import type { UplinkChannel } from '../../shared/topics.ts';
import type { Rejection, RejectReason } from '../dead-letters/rejection.ts';
import { type CompiledCheck, compileReadingCheck, compileTelemetryEnvelopeCheck } from './compiled-check.ts';

export interface TimeWindow {
  now: Date;
  /** How far in the past a device timestamp may be. */
  maxAgeMs: number;
  /** How far in the future a device timestamp may be (clock skew). */
  maxSkewMs: number;
}

export type Decoded =
  | {
      channel: 'telemetry';
      batchId: string;
      readings: Reading[];
      /** Each accepted reading's `ts` in epoch ms (parsed once, for the time window and the point). */
      times: number[];
      rejections: Rejection[];
    }
  | { channel: 'events'; batchId: string; events: DeviceEvent[]; rejections: Rejection[] }
  | { channel: 'config-status'; status: ConfigStatus; rejections: [] }
  | { channel: 'heartbeat'; heartbeat: GatewayHeartbeat; rejections: [] }
  | { channel: 'status'; status: GatewayStatus; rejections: [] }
  | { channel: 'command-results'; result: CommandResult; rejections: [] }
  | { channel: 'rejected'; rejections: [Rejection] };

/** Rejection messages are kept and logged: they say what was wrong, never a value from the payload. */
function reject(reason: RejectReason, message: string): Decoded {
  return { channel: 'rejected', rejections: [{ reason, message }] };
}

function checkTime(t: number, window: TimeWindow): string | undefined {
  const now = window.now.getTime();
  if (t < now - window.maxAgeMs) return `ts: timestamp is older than ${window.maxAgeMs / 1000} s`;
  if (t > now + window.maxSkewMs)
    return `ts: timestamp is more than ${window.maxSkewMs / 1000} s in the future`;
  return undefined;
}

/**
 * Telemetry envelopes and readings are checked by the compiled schemas first; zod decides (and
 * explains) what they refuse. Compiled once, when the module loads (a few milliseconds): they are as
 * fixed as the schemas.
 */
const isTelemetryEnvelope = compileTelemetryEnvelopeCheck();
const isReading = compileReadingCheck();

/**
 * The value as it is when the compiled check accepts it (the zod schema would return an equal copy);
 * otherwise zod's parse, whose issues say why it is refused.
 */
function checked<T>(
  value: unknown,
  schema: z.ZodType<T>,
  precheck?: CompiledCheck<T>,
): z.ZodSafeParseResult<T> {
  return precheck?.(value) ? { success: true, data: value } : schema.safeParse(value);
}

/**
 * Validates items one by one (`checked`), so one bad item does not take the good ones down with it.
 */
function validateItems<T extends { ts: string }>(
  items: unknown[],
  schema: z.ZodType<T>,
  invalid: RejectReason,
  window: TimeWindow,
  precheck?: CompiledCheck<T>,
): { accepted: T[]; times: number[]; rejections: Rejection[] } {
  const accepted: T[] = [];
  const times: number[] = [];
  const rejections: Rejection[] = [];
  items.forEach((item, index) => {
    const result = checked(item, schema, precheck);
    if (!result.success) {
      rejections.push({ reason: invalid, index, message: describeIssues(result.error) });
      return;
    }
    const valid = result.data;
    const t = Date.parse(valid.ts);
    const timeProblem = checkTime(t, window);
    if (timeProblem) rejections.push({ reason: 'timestamp-out-of-range', index, message: timeProblem });
    else {
      accepted.push(valid);
      times.push(t);
    }
  });
  return { accepted, times, rejections };
}

/**
 * Decodes one uplink message. Pure: no I/O, never throws. `gatewayId` is the one the topic and the
 * credentials agree on; a payload that claims another gateway is rejected.
 */
export function decodeMessage(
  channel: UplinkChannel,
  gatewayId: string,
  payload: Buffer,
  window: TimeWindow,
): Decoded {
  // Bytes that are not UTF-8 and keys given twice are refused, never rewritten (shared/strict-json.ts).
  const parsed = parseStrictJson(payload);
  if (!parsed.ok) return reject(parsed.reason, parsed.message);
  const json = parsed.value;
  const claimed = (json as { gatewayId?: unknown } | null)?.gatewayId;
  if (claimed !== undefined && claimed !== gatewayId) {
    return reject(
      'gateway-mismatch',
      `payload gatewayId (${typeof claimed === 'string' ? `${claimed.length} characters` : `of type ${typeof claimed}`}) differs from the topic's gateway ${gatewayId}`,
    );
  }
  switch (channel) {
    case 'telemetry': {
      const envelope = checked(json, telemetryEnvelope, isTelemetryEnvelope);
      if (!envelope.success) return reject('invalid-message', describeIssues(envelope.error));
      const { accepted, times, rejections } = validateItems(
        envelope.data.readings,
        reading,
        'invalid-reading',
        window,
        isReading,
      );
      return { channel, batchId: envelope.data.batchId, readings: accepted, times, rejections };
    }
    case 'events': {
      const envelope = eventEnvelope.safeParse(json);
      if (!envelope.success) return reject('invalid-message', describeIssues(envelope.error));
      const { accepted, rejections } = validateItems(
        envelope.data.events,
        deviceEvent,
        'invalid-event',
        window,
      );
      return { channel, batchId: envelope.data.batchId, events: accepted, rejections };
    }
    case 'heartbeat': {
      const heartbeat = gatewayHeartbeat.safeParse(json);
      if (!heartbeat.success) return reject('invalid-message', describeIssues(heartbeat.error));
      return { channel, heartbeat: heartbeat.data, rejections: [] };
    }
    case 'status': {
      const status = gatewayStatus.safeParse(json);
      if (!status.success) return reject('invalid-message', describeIssues(status.error));
      return { channel, status: status.data, rejections: [] };
    }
    case 'config-status': {
      const status = configStatus.safeParse(json);
      if (!status.success) return reject('invalid-message', describeIssues(status.error));
      return { channel, status: status.data, rejections: [] };
    }
    case 'command-results': {
      const result = commandResult.safeParse(json);
      if (!result.success) return reject('invalid-message', describeIssues(result.error));
      return { channel, result: result.data, rejections: [] };
    }
  }
}
