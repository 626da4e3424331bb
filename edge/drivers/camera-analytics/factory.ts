import { readFileSync } from 'node:fs';
import { pino } from 'pino';
import { z } from 'zod';
import type { DriverFactory } from '../../../shared/driver.ts';
import { deviceId } from '../../../shared/ids.ts';
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
            serial: z.string().regex(/^[0-9A-Fa-f]{12}$/, "the camera's serial number: 12 hex digits"),
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

/**
 * The `camera-analytics` driver (docs/drivers.md): counts from the cameras' own AXIS Object
 * Analytics (Crossline counting, Occupancy in area) over MQTT. Each camera must be one of the
 * gateway's cameras in the fleet file; a serial may appear once.
 */
export const cameraAnalyticsDriverFactory: DriverFactory<CameraAnalyticsSettings> = {
  settings: cameraAnalyticsSettings,
  create(settings, { gatewayId, devices, name, log = pino({ level: 'silent' }) }) {
    const serials = new Set<string>();
    settings.cameras.forEach((camera, i) => {
      const known = devices.find((d) => d.id === camera.deviceId);
      if (!known) throw new Error(`cameras[${i}]: ${camera.deviceId} is not a device of ${gatewayId}`);
      if (known.kind !== 'camera')
        throw new Error(`cameras[${i}]: ${camera.deviceId} is a ${known.kind}, not a camera`);
      const serial = camera.serial.toUpperCase();
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
