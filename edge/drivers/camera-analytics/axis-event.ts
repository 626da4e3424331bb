import { z } from 'zod';
import { parseStrictJson } from '../../../shared/strict-json.ts';

/**
 * An AXIS Object Analytics event as an Axis camera publishes it over MQTT (System > MQTT > MQTT
 * publication, "Include serial number" ticked), e.g. on
 * `axis/B8A44F000001/event/tns:axis/CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1`:
 *
 *     { "topic": "axis:CameraApplicationPlatform/ObjectAnalytics/Device1Scenario1",
 *       "timestamp": 1670518346712, "serial": "B8A44F000001",
 *       "message": { "source": {}, "key": {}, "data": {
 *         "startTime": "2022-12-06T22:01:25Z", "reason": "car", "total": "20960",
 *         "totalHuman": "0", "totalCar": "18103", "totalTruck": "2857", "totalBus": "0",
 *         "totalMotorcycle/bicycle": "0", "totalUnknown": "0" } } }
 *
 * A Crossline counting scenario sends one per object that crossed its line, with the counts of
 * each class since `startTime` (the last reset); an Occupancy in area scenario sends the objects
 * now in its area, by class (`human`, `car`, ...) and `total`. Source: Axis developer
 * documentation, "AXIS Object Analytics counting data" and "Visualize AXIS Object Analytics data
 * using Grafana dashboard". Only the counts below are read: anything else an event holds (object
 * ids, bounding boxes, snapshots, plates, whatever a firmware adds) is never looked at, kept or logged.
 */

/** A count as Axis sends it: decimal digits in a string (or a number). */
const count = z.union([z.string().regex(/^\d{1,9}$/), z.int().min(0).max(999_999_999)]).transform(Number);

const vehicleClasses = ['Car', 'Truck', 'Bus', 'Motorcycle/bicycle'] as const;

const crosslineData = z.object({
  startTime: z.string().max(40).optional(),
  reason: z.string().max(40).optional(),
  totalHuman: count.optional(),
  ...Object.fromEntries(vehicleClasses.map((c) => [`total${c}`, count.optional()])),
});

const occupancyData = z.object({
  total: count,
  human: count.optional(),
});

const envelope = z.object({
  topic: z.string().regex(/\/ObjectAnalytics\/Device\d{1,3}Scenario\d{1,3}$/),
  serial: z.string().regex(/^[0-9A-Fa-f]{12}$/),
  message: z.object({ data: z.record(z.string(), z.unknown()) }),
});

/** The counts of a Crossline counting event: totals since `startTime`, per class we count. */
export interface CrosslineCounts {
  startTime?: string;
  /** The class of the object that crossed (what this event counted). */
  reason?: string;
  humans?: number;
  vehicles?: number;
}

/** The counts of an Occupancy in area event: objects in the area now. */
export interface OccupancyCounts {
  total: number;
  humans?: number;
}

/** Which camera and scenario an event comes from, and its data, not yet looked into. */
export interface AxisEnvelope {
  serial: string;
  scenario: string;
  data: Record<string, unknown>;
}

export type AxisParse =
  | { ok: true; envelope: AxisEnvelope }
  | { ok: false; reason: 'invalidJson' | 'invalidEvent' };

/** The camera (serial), the scenario (`Device1Scenario1`) and the data of an event's payload. */
export function parseAxisEnvelope(payload: Uint8Array): AxisParse {
  const json = parseStrictJson(payload);
  if (!json.ok) return { ok: false, reason: 'invalidJson' };
  const parsed = envelope.safeParse(json.value);
  if (!parsed.success) return { ok: false, reason: 'invalidEvent' };
  const { topic, serial, message } = parsed.data;
  const scenario = topic.slice(topic.lastIndexOf('/') + 1);
  return { ok: true, envelope: { serial: serial.toUpperCase(), scenario, data: message.data } };
}

/** The counts of a Crossline counting event's data; undefined when it has none we count. */
export function crosslineCounts(data: Record<string, unknown>): CrosslineCounts | undefined {
  const parsed = crosslineData.safeParse(data);
  if (!parsed.success) return undefined;
  const counts = parsed.data as z.infer<typeof crosslineData> & Record<string, number | undefined>;
  const vehicles = vehicleClasses.map((c) => counts[`total${c}`]).filter((n): n is number => n !== undefined);
  if (counts.totalHuman === undefined && vehicles.length === 0) return undefined;
  return {
    ...(counts.startTime ? { startTime: counts.startTime } : {}),
    ...(counts.reason ? { reason: counts.reason } : {}),
    ...(counts.totalHuman === undefined ? {} : { humans: counts.totalHuman }),
    ...(vehicles.length ? { vehicles: vehicles.reduce((a, b) => a + b, 0) } : {}),
  };
}

/** The counts of an Occupancy in area event's data; undefined when it has no total. */
export function occupancyCounts(data: Record<string, unknown>): OccupancyCounts | undefined {
  const parsed = occupancyData.safeParse(data);
  if (!parsed.success) return undefined;
  const { total, human } = parsed.data;
  return { total, ...(human === undefined ? {} : { humans: human }) };
}

/** Whether the class an Axis event names is a vehicle we count. */
export function isVehicleClass(reason: string | undefined): boolean {
  return reason !== undefined && ['car', 'truck', 'bus', 'motorcycle/bicycle'].includes(reason.toLowerCase());
}
