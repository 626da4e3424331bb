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
    /**
     * The wall-clock instant (ms since the epoch) at which simulated time starts (default: when the
     * driver is made). Gateways and a cloud given the same origin, speed and start read the same time.
     */
    origin: z.number().nonnegative().optional(),
    /** The simulated time at `origin` (ISO 8601; default: `origin` itself). */
    startAt: z.iso.datetime({ offset: true }).optional(),
    /** Probability that a malformed message is sent beside a real batch. */
    malformedRate: z.number().min(0).max(1).default(0),
    /**
     * The gateway's devices it simulates (default: all of them), when the gateway's other devices are
     * read by real drivers.
     */
    devices: z.array(z.string()).min(1).optional(),
    /** Devices whose sensor is stuck: they repeat their first values. */
    stuckDevices: z.array(z.string()).default([]),
    /**
     * Problems already in progress when the simulation starts, e.g. `{ "device": "lamp-000001",
     * "fault": "lampFailure" }`; each kind's faults are its simulator's `faults`.
     */
    faults: z.array(z.object({ device: z.string(), fault: z.string() }).strict()).default([]),
    /** The gateway drops off the network every `everyS` seconds for `forS` seconds (real time). */
    outages: z.object({ everyS: z.number().positive(), forS: z.number().positive() }).strict().optional(),
  })
  .strict();
export type SimulationSettings = z.infer<typeof simulationSettings>;
