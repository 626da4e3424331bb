import { z } from 'zod';

/**
 * Settings of the simulated driver and its fault injection: the edge configuration's entry
 * `{ "type": "simulated", ... }` without its type.
 */
export const simulationSettings = z
  .object({
    seed: z.int().default(1),
    /** Simulated seconds per real second. */
    speed: z.number().min(0.001).max(100_000).default(1),
    /** Probability that a malformed message is sent beside a real batch. */
    malformedRate: z.number().min(0).max(1).default(0),
    /** Devices whose sensor is stuck: they repeat their first values. */
    stuckDevices: z.array(z.string()).default([]),
    /** The gateway drops off the network every `everyS` seconds for `forS` seconds (real time). */
    outages: z.object({ everyS: z.number().positive(), forS: z.number().positive() }).strict().optional(),
  })
  .strict();
export type SimulationSettings = z.infer<typeof simulationSettings>;
