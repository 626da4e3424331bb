import { z } from 'zod';
import { applicationId } from './chirpstack-events.ts';

/**
 * The edge configuration's entry `{ "type": "chirpstack", "name"?, ... }` without its type and name
 * (the name tells several entries apart, in the health and the default client id): which ChirpStack
 * broker and application to listen to, where the device-model table is, and the limits of the
 * sandbox that runs a city's codecs.
 */
export const chirpstackSettings = z
  .object({
    /** ChirpStack's MQTT integration broker (not the cloud's). */
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|tcp):\/\/.+/, 'an mqtt://, mqtts:// or tcp:// URL'),
        username: z.string().min(1).optional(),
        password: z.string().min(1).optional(),
        /** Default `<gatewayId>-chirpstack[-<name>]`: a persistent session keeps what arrives while we are away. */
        clientId: z.string().min(1).max(128).optional(),
        keepaliveS: z.int().min(5).max(3_600).default(30),
        /** PEM files, as the agent's own `mqtt.tls`. */
        tls: z
          .object({
            caFile: z.string().min(1).optional(),
            certFile: z.string().min(1).optional(),
            keyFile: z.string().min(1).optional(),
          })
          .strict()
          .optional(),
      })
      .strict(),
    /** The ChirpStack application whose devices this entry reads (a UUID in ChirpStack v4). */
    applicationId,
    /** The device-model table (JSON): which device (DevEUI) is which of ours, and which model it is. */
    deviceTable: z.string().min(1),
    /** Limits of a city's codecs (model `codecFile`). */
    sandbox: z
      .object({
        timeoutMs: z.int().min(1).max(10_000).default(100),
        memoryMb: z.int().min(1).max(256).default(16),
        /** A call still unanswered after this long kills the sandbox process (see CodecSandbox). */
        terminateAfterMs: z.int().min(100).max(60_000).default(2_000),
      })
      .strict()
      .refine((s) => s.terminateAfterMs > s.timeoutMs, {
        message: 'terminateAfterMs must exceed timeoutMs',
        path: ['terminateAfterMs'],
      })
      .default({ timeoutMs: 100, memoryMb: 16, terminateAfterMs: 2_000 }),
    /** Readings and events kept for the next poll; beyond it the oldest are dropped (and counted). */
    maxBuffered: z.int().min(1).max(1_000_000).default(10_000),
  })
  .strict();
export type ChirpstackSettings = z.infer<typeof chirpstackSettings>;
