import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';
import { quoteIdent, quoteString, type Series } from '../storage/influxql.ts';
import { eventMeasurement } from '../storage/measurements.ts';

/** The values each kind declares for its events: the only fields an event query names. */
export const eventValueNames: Record<DeviceKind, readonly string[]> = Object.fromEntries(
  Object.values(kinds).map((spec) => [spec.kind, Object.keys(spec.eventValues.shape)]),
) as unknown as Record<DeviceKind, readonly string[]>;

export interface DeviceEventsRequest {
  kind: DeviceKind;
  deviceId: string;
  from: Date;
  to: Date;
  limit: number;
}

export interface StoredDeviceEvent {
  ts: string;
  type: string;
  values?: Record<string, string | number>;
}

/**
 * The newest `limit` events of one device in [from, to), as InfluxQL: the `type` tag and the
 * kind's declared value fields (plus `count`, which every event point has, so the query names at
 * least one field even for a kind whose events carry no values). Identifiers come from the kind's
 * schema, the device id is quoted, times and the limit are integers.
 */
export function planDeviceEvents(request: DeviceEventsRequest): string {
  const fields = ['count', ...eventValueNames[request.kind]].map(quoteIdent);
  return (
    `SELECT "type"::tag, ${fields.join(', ')} FROM ${quoteIdent(eventMeasurement)} ` +
    `WHERE "device" = ${quoteString(request.deviceId)} AND time >= ${request.from.getTime()}ms ` +
    `AND time < ${request.to.getTime()}ms ORDER BY time DESC LIMIT ${Math.trunc(request.limit)}`
  );
}

/** The rows of that query as events, newest first; a value the event did not carry is left out. */
export function deviceEventsFrom(series: Series | undefined, kind: DeviceKind): StoredDeviceEvent[] {
  if (!series) return [];
  const column = (name: string) => series.columns.indexOf(name);
  const time = column('time');
  const type = column('type');
  const values = eventValueNames[kind].map((name) => [name, column(name)] as const);
  return series.values.map((row) => {
    const event: StoredDeviceEvent = {
      ts: new Date(Number(row[time])).toISOString(),
      type: String(row[type]),
    };
    const carried = values.filter(
      ([, i]) => i >= 0 && (typeof row[i] === 'number' || typeof row[i] === 'string'),
    );
    if (carried.length)
      event.values = Object.fromEntries(carried.map(([name, i]) => [name, row[i] as string | number]));
    return event;
  });
}
