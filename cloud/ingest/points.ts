import { Point } from '@influxdata/influxdb-client';
import type { DeviceEvent, MetricValue, Reading } from '../../shared/kinds/index.ts';
import type { GatewayHeartbeat } from '../../shared/messages.ts';

/** Where a device sits; its tags on every point. */
export interface DevicePlacement {
  gatewayId: string;
  district: string;
}

/** The InfluxDB measurement of device events and gateway health; readings go to one per kind. */
export const eventMeasurement = 'device_event';
export const gatewayHealthMeasurement = 'gateway_health';

function setField(point: Point, name: string, value: MetricValue): void {
  // Every number is a float field: a metric's field type then never changes between readings
  // (InfluxDB rejects a write that changes a field's type).
  if (typeof value === 'number') point.floatField(name, value);
  else if (typeof value === 'boolean') point.booleanField(name, value);
  else point.stringField(name, value);
}

function deviceTags(point: Point, deviceId: string, kind: string, placement: DevicePlacement): Point {
  return point
    .tag('device', deviceId)
    .tag('gateway', placement.gatewayId)
    .tag('kind', kind)
    .tag('district', placement.district);
}

/** One point per reading: measurement = kind, device timestamp, one field per metric. */
export function readingPoint(reading: Reading, placement: DevicePlacement): Point {
  const point = deviceTags(new Point(reading.kind), reading.deviceId, reading.kind, placement);
  for (const [name, value] of Object.entries(reading.metrics)) setField(point, name, value as MetricValue);
  return point.timestamp(new Date(reading.ts));
}

export function eventPoint(event: DeviceEvent, placement: DevicePlacement): Point {
  const point = deviceTags(new Point(eventMeasurement), event.deviceId, event.kind, placement)
    .tag('type', event.type)
    .intField('count', 1);
  if (event.detail) point.stringField('detail', event.detail);
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

/** Line protocol with millisecond timestamps (the precision every write uses). */
export function toLine(point: Point): string {
  const line = point.toLineProtocol({
    convertTime: (value) =>
      value instanceof Date ? String(value.getTime()) : value === undefined ? undefined : String(value),
  });
  if (!line) throw new Error('a point without fields cannot be written');
  return line;
}
