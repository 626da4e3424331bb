import { z } from 'zod';
import { timestamp } from './ids.ts';

/** A driver type, as an entry of a gateway's `drivers` names it: `modbus-tcp`, `chirpstack`, `camera-analytics`. */
export const driverType = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'a driver type: lowercase letters, digits and "-", 1-40 characters')
  .meta({ description: 'Driver type, e.g. modbus-tcp', examples: ['modbus-tcp'] });

/** The optional `name` of an entry, telling apart several entries of one type. */
export const driverName = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_-]{0,39}$/,
    'a name: a letter, then letters, digits, "_" or "-", 1-40 characters',
  )
  .meta({ description: "The entry's name, when a gateway has several entries of one type" });

/**
 * What went wrong last, as a code: a camelCase word, then at most three numbers after colons
 * (`timeout`, `modbusException:2:100`). Never a sentence or a payload: a driver's message could carry
 * what a device sent (data minimisation, docs/security.md).
 */
export const driverErrorCode = z
  .string()
  .max(200)
  .regex(
    /^[a-z][A-Za-z0-9]{0,39}(:[0-9]{1,10}){0,3}$/,
    'an error code: a camelCase word of 1-40 letters and digits, then at most three ":number"',
  )
  .meta({ examples: ['timeout', 'modbusException:2:100'] });

/**
 * The health of one driver entry of a gateway, sent in the heartbeat: `starting` until it first
 * read something or failed, `ok`, `degraded` (some devices or values fail), `failing` (nothing
 * works, or the agent abandoned a poll that threw or ran past its deadline).
 */
export const driverHealth = z
  .object({
    driver: driverType,
    name: driverName.optional(),
    state: z.enum(['ok', 'degraded', 'failing', 'starting']),
    errors: z.int().min(0).meta({ description: 'Errors counted since the agent started' }),
    lastSuccess: timestamp.optional().meta({ description: 'When the driver last read something good' }),
    lastError: driverErrorCode.optional(),
  })
  .strict()
  .meta({ id: 'DriverHealth' });
export type DriverHealth = z.infer<typeof driverHealth>;
export type DriverState = DriverHealth['state'];
