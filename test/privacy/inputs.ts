import type { UplinkChannel } from '../../shared/topics.ts';
import { extraFields, markerStrings, markerValues, type PersonalData } from './markers.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Path = (string | number)[];

/** What a valid message of each channel needs to refer to. */
export interface Fixtures {
  gatewayId: string;
  cameraId: string;
  /** A command of the gateway that has no result yet: a new one for each command result sent. */
  commandId(): string;
}

let sequence = 0;

/**
 * A valid message of each uplink channel, new for each call (a batch id and a command of its own, so
 * that no variant is skipped as a redelivery of another). Free-form text fields are in `freeFormText`.
 */
export function validMessage(channel: UplinkChannel, f: Fixtures): JsonObject {
  const now = new Date().toISOString();
  const batchId = `privacy-${++sequence}`;
  const envelope = { v: 1, gatewayId: f.gatewayId, sentAt: now };
  switch (channel) {
    case 'telemetry':
      return {
        ...envelope,
        batchId,
        readings: [
          {
            deviceId: f.cameraId,
            kind: 'camera',
            ts: now,
            metrics: { streamStatus: 'online', peopleCount: 12, crowdDensity: 0.4, tamperDetected: false },
          },
        ],
      };
    case 'events':
      return {
        ...envelope,
        batchId,
        events: [{ deviceId: f.cameraId, kind: 'camera', ts: now, type: 'tamper' }],
      };
    case 'heartbeat':
      return {
        ...envelope,
        uptime: 3_600.5,
        queueDepth: 0,
        droppedReadings: 0,
        deviceCount: 4,
        softwareVersion: '0.1.0',
        memoryRss: 52_428_800,
        configVersion: 0,
        drivers: [
          {
            driver: 'modbus-tcp',
            name: 'cabinets',
            state: 'degraded',
            errors: 2,
            lastSuccess: now,
            lastError: 'timeout',
          },
        ],
      };
    case 'status':
      return { v: 1, gatewayId: f.gatewayId, state: 'online', ts: now, softwareVersion: '0.1.0' };
    case 'command-results':
      return { v: 1, gatewayId: f.gatewayId, commandId: f.commandId(), ts: now, status: 'succeeded' };
    case 'config-status':
      return { v: 1, gatewayId: f.gatewayId, version: 1, status: 'applied', ts: now };
  }
}

/**
 * The string fields the contract lets hold any text (within a length): each is a case of its own, so
 * that what still leaks names its field. The optional ones are absent from the valid messages.
 */
export const freeFormText: Record<UplinkChannel, Path[]> = {
  telemetry: [['batchId'], ['readings', 0, 'deviceId']],
  events: [['batchId'], ['events', 0, 'deviceId'], ['events', 0, 'detail']],
  heartbeat: [['softwareVersion']],
  status: [['softwareVersion']],
  'command-results': [['detail']],
  'config-status': [['detail']],
};

const isFreeForm = (channel: UplinkChannel, path: Path) =>
  freeFormText[channel].some((free) => free.join('.') === path.join('.'));

/** Messages with each marker, as text, in the field at `path`. */
export function textIn(make: () => JsonObject, p: PersonalData, path: Path): JsonObject[] {
  return markerStrings(p).map((text) => set(make(), path, text));
}

/** Every path to a value in `value` (objects and arrays included), depth first. */
function paths(value: Json, at: Path = []): { path: Path; value: Json }[] {
  const here = { path: at, value };
  if (Array.isArray(value)) return [here, ...value.flatMap((v, i) => paths(v, [...at, i]))];
  if (value !== null && typeof value === 'object')
    return [here, ...Object.entries(value).flatMap(([k, v]) => paths(v, [...at, k]))];
  return [here];
}

function set(message: JsonObject, path: Path, value: unknown): JsonObject {
  let node = message as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
  return message;
}

function get(message: JsonObject, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], message);
}

const isObject = (v: Json) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** How personal data is slipped into a channel's messages. */
export const variants = {
  /** Valid-looking messages with every marker in extra fields, added to each object in turn. */
  'extra fields': (make, p) =>
    paths(make())
      .filter(({ value }) => isObject(value))
      .map(({ path }) => {
        const message = make();
        const target = (path.length ? get(message, path) : message) as JsonObject;
        Object.assign(target, extraFields(p));
        return message;
      }),
  /** Each value in turn replaced by a marker of another type (a string by the embedding, the rest by text). */
  'wrong types': (make, p) =>
    paths(make())
      .filter(({ path, value }) => path.length > 0 && !isObject(value) && !Array.isArray(value))
      .map(({ path, value }, i) => {
        const markers = typeof value === 'string' ? [p.embedding, [p.plate, p.mac]] : markerValues(p);
        return set(make(), path, markers[i % markers.length]);
      }),
  /** Each string field the contract constrains (an enum, a timestamp, an id) in turn holding a marker as text. */
  'free text in constrained fields': (make, p, channel) =>
    paths(make())
      .filter(({ path, value }) => typeof value === 'string' && !isFreeForm(channel, path))
      .flatMap(({ path }) => textIn(make, p, path)),
  /** Markers as the keys of each object in turn. */
  'JSON keys': (make, p) =>
    paths(make())
      .filter(({ value }) => isObject(value))
      .map(({ path }) => {
        const message = make();
        const target = (path.length ? get(message, path) : message) as JsonObject;
        for (const [j, key] of [p.plate, p.mac, p.imsi, p.name, p.text].entries()) target[key] = j;
        return message;
      }),
} satisfies Record<string, (make: () => JsonObject, p: PersonalData, channel: UplinkChannel) => JsonObject[]>;

/** Payloads that are not JSON: the image's raw bytes, text, and JSON cut short. */
export function nonJson(p: PersonalData): Buffer[] {
  return [
    p.imageBytes,
    Buffer.from(`${p.name} ${p.plate} ${p.imsi} ${p.mac}: ${p.text}`),
    Buffer.from(`{"v":1,"plate":"${p.plate2}","snapshot":"${p.imageBase64}`),
  ];
}
