import { z } from 'zod';
import { location as locationSchema } from '../../shared/fleet.ts';
import type { UplinkFactory } from '../../shared/uplink.ts';
import { simulatedLink } from './signal-field.ts';

export const simulatedUplinkSettings = z
  .object({
    /** The field's seed: the same seed draws the same places of weak signal. */
    seed: z.string().min(1).max(64).default('coverage'),
    /** Where the modem stands; the gateway's place in its fleet file unless given. */
    location: locationSchema.optional(),
  })
  .strict();
export type SimulatedUplinkSettings = z.infer<typeof simulatedUplinkSettings>;

/** `uplink: { "type": "simulated" }`: the link a modem at the gateway's place would measure (signal-field.ts). */
export const simulatedUplinkFactory: UplinkFactory<SimulatedUplinkSettings> = {
  settings: simulatedUplinkSettings,
  create(settings, context) {
    const where = settings.location ?? context.location;
    if (!where) throw new Error('a simulated uplink needs the gateway location (fleet file or settings)');
    return { read: async (now) => simulatedLink(where, now, settings.seed) };
  },
};
