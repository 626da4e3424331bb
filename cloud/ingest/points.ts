import { escape as lineEscape, Point } from '@influxdata/influxdb-client';
import { type DeviceEvent, kinds, type MetricValue, type Reading } from '../../shared/kinds/index.ts';
import type { GatewayHeartbeat } from '../../shared/messages.ts';
import { cellOf } from '../geo/cells.ts';
import type { DevicePlacement } from '../registry/placement.ts';
import type { GatewayRecord } from '../registry/store.ts';
import {
  eventMeasurement,
  gatewayHealthMeasurement,
  gatewayLinkMeasurement,
} from '../storage/measurements.ts';

function deviceTags(point: Point, deviceId: string, kind: string, placement: DevicePlacement): Point {
  return point
    .tag('device', deviceId)
    .tag('gateway', placement.gatewayId)
    .tag('kind', kind)
    .tag('district', placement.district);
}

/** Each kind's metric names in line-protocol order (sorted, as the client library sorts fields), escaped. */
const fieldOrder = new Map(
  Object.values(kinds).map((k) => [
    k.kind,
    Object.keys(k.metrics.shape)
      .sort()
      .map((name) => ({ name, key: `${lineEscape.tag(name)}=` })),
  ]),
);

/** Measurement and tags of a device's readings, escaped once per device and placement. */
const headCache = new WeakMap<
  DevicePlacement,
  { deviceId: string; kind: string; gatewayId: string; district: string; head: string }
>();

function readingHead(reading: Reading, placement: DevicePlacement): string {
  const cached = headCache.get(placement);
  if (
    cached?.deviceId === reading.deviceId &&
    cached.kind === reading.kind &&
    cached.gatewayId === placement.gatewayId &&
    cached.district === placement.district
  )
    return cached.head;
  // Tags in key order; an empty tag value is left out, as the client library does.
  const tags = [
    ['device', reading.deviceId],
    ['district', placement.district],
    ['gateway', placement.gatewayId],
    ['kind', reading.kind],
  ]
    .filter(([, value]) => value)
    .map(([key, value]) => `,${key}=${lineEscape.tag(value as string)}`)
    .join('');
  const head = `${lineEscape.measurement(reading.kind)}${tags} `;
  headCache.set(placement, {
    deviceId: reading.deviceId,
    kind: reading.kind,
    gatewayId: placement.gatewayId,
    district: placement.district,
    head,
  });
  return head;
}

function fieldValue(value: MetricValue): string {
  // Every number is a float field: a metric's field type then never changes between readings
  // (InfluxDB rejects a write that changes a field's type). JSON.stringify writes a finite number as
  // String does (a parsed reading holds no other), but String keeps each result in V8's number-string
  // cache, which carried every value's text into the old generation (~25 % of what ingestion promoted).
  if (typeof value === 'number') return JSON.stringify(value);
  if (typeof value === 'boolean') return value ? 'T' : 'F';
  return lineEscape.quoted(value);
}

/**
 * One line per reading, millisecond timestamp: measurement = kind, the four device tags, one field
 * per metric. Written directly rather than through the client's `Point` (which sorts and escapes
 * every key on every call): this is the hot path of ingestion. Byte for byte what
 * `toLine(Point…)` gives for the same reading (a property test compares the two).
 */
export function readingLine(
  reading: Reading,
  placement: DevicePlacement,
  /** `reading.ts` in epoch ms, when the caller parsed it already. */
  at = Date.parse(reading.ts),
): string {
  const metrics = reading.metrics as Record<string, MetricValue | undefined>;
  let fields = '';
  for (const { name, key } of fieldOrder.get(reading.kind) ?? []) {
    const value = metrics[name];
    if (value === undefined) continue;
    fields += fields === '' ? key : `,${key}`;
    fields += fieldValue(value);
  }
  if (fields === '') throw new Error(`reading of ${reading.deviceId} has no metric of kind ${reading.kind}`);
  return `${readingHead(reading, placement)}${fields} ${at}`;
}

export function eventPoint(event: DeviceEvent, placement: DevicePlacement): Point {
  const point = deviceTags(new Point(eventMeasurement), event.deviceId, event.kind, placement)
    .tag('type', event.type)
    .intField('count', 1);
  // The values a kind declares for its events, each a field (numbers as floats, like metrics;
  // enumerations as strings). Events carry no free text.
  for (const [name, value] of Object.entries(event.values ?? {})) {
    if (typeof value === 'number') point.floatField(name, value);
    else if (typeof value === 'string') point.stringField(name, value);
  }
  return point.timestamp(new Date(event.ts));
}

/** Stamped with the cloud's receive time: a gateway clock that is off must not move its health series. */
export function heartbeatPoint(heartbeat: GatewayHeartbeat, receivedAt: Date): Point {
  return new Point(gatewayHealthMeasurement)
    .tag('gateway', heartbeat.gatewayId)
    .floatField('uptime', heartbeat.uptime)
    .floatField('queueDepth', heartbeat.queueDepth)
    .floatField('droppedReadings', heartbeat.droppedReadings)
    .floatField('deviceCount', heartbeat.deviceCount)
    .floatField('memoryRss', heartbeat.memoryRss)
    .stringField('softwareVersion', heartbeat.softwareVersion)
    .timestamp(receivedAt);
}

/**
 * The gateway's uplink, when its heartbeat carries one: tagged with the gateway, its district and its
 * zone (the map cell of its place, cloud/geo/cells.ts), so that the coverage layer groups by cell.
 * A gateway without a known place has no zone tag (its link is kept, but on no map cell).
 */
export function gatewayLinkPoint(
  heartbeat: GatewayHeartbeat,
  gateway: Pick<GatewayRecord, 'district' | 'location'> | undefined,
  receivedAt: Date,
): Point | undefined {
  const link = heartbeat.uplink;
  if (!link) return undefined;
  const point = new Point(gatewayLinkMeasurement)
    .tag('gateway', heartbeat.gatewayId)
    .tag('technology', link.technology)
    .floatField('rsrp', link.rsrp)
    .floatField('sinr', link.sinr);
  if (gateway?.district) point.tag('district', gateway.district);
  if (gateway?.location) point.tag('zone', cellOf(gateway.location));
  if (link.operator) point.tag('operator', link.operator);
  if (link.rsrq !== undefined) point.floatField('rsrq', link.rsrq);
  if (link.latencyMs !== undefined) point.floatField('latencyMs', link.latencyMs);
  return point.timestamp(receivedAt);
}
