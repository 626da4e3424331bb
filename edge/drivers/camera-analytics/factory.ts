import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import type { DriverFactory } from '../../../shared/driver.ts';
import { deviceId } from '../../../shared/ids.ts';
import { type DeviceKind, kinds } from '../../../shared/kinds/index.ts';
import { HealthTracker } from '../health.ts';
import { CameraAnalyticsDriver } from './driver.ts';

export const cameraAnalyticsSettings = z
  .object({
    /** The MQTT broker the cameras publish their events to (on the gateway, or the site's). */
    broker: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'an mqtt://, mqtts://, ws:// or wss:// URL'),
        username: z.string().min(1).optional(),
        /** A file holding the password: no secret in a configuration the cloud keeps and sends. */
        passwordFile: z.string().min(1).optional(),
      })
      .strict(),
    /** The subscription for the cameras' events (Axis's default topic prefix is axis/<serial>). */
    topic: z.string().min(1).default('axis/+/event/#'),
    cameras: z
      .array(
        z
          .object({
            deviceId,
            serial: z
              .string()
              .regex(/^[0-9A-Fa-f]{12}$/, 'a serial number, as the events carry it: 12 hex digits'),
            scenarios: z
              .array(
                z
                  .object({
                    scenario: z
                      .string()
                      .regex(/^Device\d{1,3}Scenario\d{1,3}$/, 'as the event topic ends: Device1Scenario1'),
                    type: z.enum(['crossline', 'occupancy']),
                    /** Occupancy only: objects that fill the area (occupancy is a share of it, in %). */
                    capacity: z.int().min(1).max(100_000).optional(),
                    /** Occupancy only: the area in m² (crowd density is its people per m²). */
                    areaM2: z.number().positive().max(1_000_000).optional(),
                  })
                  .strict()
                  .refine(
                    (s) => s.type === 'occupancy' || (s.capacity === undefined && s.areaM2 === undefined),
                    {
                      message: 'capacity and areaM2 belong to occupancy scenarios',
                      path: ['type'],
                    },
                  )
                  .refine(
                    (s) => s.type === 'crossline' || s.capacity !== undefined || s.areaM2 !== undefined,
                    {
                      message: 'an occupancy scenario needs capacity or areaM2 (what its count is shown as)',
                      path: ['capacity'],
                    },
                  ),
              )
              .min(1)
              .max(16),
          })
          .strict(),
      )
      .min(1)
      .max(500),
  })
  .strict();
export type CameraAnalyticsSettings = z.infer<typeof cameraAnalyticsSettings>;

/** The metrics the counts become: a kind without them cannot take them. */
const countMetrics = ['peopleCount', 'vehicleCount', 'occupancy', 'crowdDensity'];

/**
 * The `camera-analytics` driver (docs/drivers.md): counts from the cameras' own AXIS Object
 * Analytics (Crossline counting, Occupancy in area) over MQTT. Each device must be one of the
 * gateway's in the fleet file, all of one kind whose readings carry the counts; a serial may
 * appear once.
 */
export const cameraAnalyticsDriverFactory: DriverFactory<CameraAnalyticsSettings> = {
  settings: cameraAnalyticsSettings,
  create(settings, { gatewayId, devices, name, log = pino({ level: 'silent' }) }) {
    const serials = new Set<string>();
    let kind: DeviceKind | undefined;
    settings.cameras.forEach((entry, i) => {
      const where = `cameras[${i}]: ${entry.deviceId}`;
      const known = devices.find((d) => d.id === entry.deviceId);
      if (!known) throw new Error(`${where} is not a device of ${gatewayId}`);
      const metrics = Object.keys(kinds[known.kind].metrics.shape);
      if (!countMetrics.every((m) => metrics.includes(m)))
        throw new Error(`${where} is a ${known.kind}, whose readings carry no counts`);
      if (kind && known.kind !== kind) throw new Error(`${where} is a ${known.kind}, not a ${kind}`);
      kind = known.kind;
      const serial = entry.serial.toUpperCase();
      if (serials.has(serial)) throw new Error(`cameras[${i}]: serial ${serial} is given twice`);
      serials.add(serial);
    });
    let password: string | undefined;
    if (settings.broker.passwordFile) {
      try {
        password = readFileSync(settings.broker.passwordFile, 'utf8').trim();
      } catch (error) {
        throw new Error(`broker.passwordFile: cannot read it: ${(error as Error).message}`);
      }
    }
    const identity = { driver: 'camera-analytics', ...(name ? { name } : {}) };
    const driver = new CameraAnalyticsDriver({
      kind: kind as DeviceKind,
      broker: {
        url: settings.broker.url,
        clientId: `${gatewayId}-camera-analytics${name ? `-${name}` : ''}`,
        ...(settings.broker.username ? { username: settings.broker.username } : {}),
        ...(password ? { password } : {}),
      },
      topic: settings.topic,
      cameras: settings.cameras,
      tracker: new HealthTracker(identity, ['broker']),
      log: log.child(identity),
      now: () => new Date(),
    });
    return { drivers: [driver] };
  },
};
