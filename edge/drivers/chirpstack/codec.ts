import { z } from 'zod';

/**
 * The codec API of The Things Stack and ChirpStack v4 (`decodeUplink` / `encodeDownlink`), as our
 * built-in codecs and a city's sandboxed ones implement it. ChirpStack gives a codec the device's
 * variables as strings; so do we.
 */
export interface UplinkInput {
  bytes: number[];
  fPort: number;
  /** When the network server received the uplink. */
  recvTime: Date;
  variables: Record<string, string>;
}

export interface DownlinkInput {
  /** Our command, as the kind declares it: `{ action: 'setDimming', level: 40 }`. */
  data: Record<string, unknown>;
  variables: Record<string, string>;
}

const messages = z.array(z.string().max(500)).max(20);

/**
 * What a codec decodes an uplink into: metrics of the device's kind and events of its kind, by their
 * names in shared/kinds (checked against the kind's schemas afterwards). A frame that carries neither
 * (a device-information frame) decodes to `{}`.
 */
export const decodedData = z
  .object({
    metrics: z.record(z.string().max(64), z.unknown()).optional(),
    events: z
      .array(
        z
          .object({ type: z.string().max(64), values: z.record(z.string().max(64), z.unknown()).optional() })
          .strict(),
      )
      .max(16)
      .optional(),
  })
  .strict();
export type DecodedData = z.infer<typeof decodedData>;

const failed = (r: { errors?: string[] }) => (r.errors?.length ?? 0) > 0;

/** `decodeUplink`'s answer: `data` unless it failed, and `errors` when it did. */
export const decodeResult = z
  .object({ data: decodedData.optional(), warnings: messages.optional(), errors: messages.optional() })
  .strict()
  .refine((r) => r.data !== undefined || failed(r), 'an answer has data, or errors when it failed');
export type DecodeResult = z.infer<typeof decodeResult>;

/** The largest application payload LoRaWAN carries (DR7 in EU868; smaller data rates carry less). */
export const maxPayloadBytes = 242;

/** `encodeDownlink`'s answer: the frame and its port, or `errors` when the device cannot do it. */
export const encodeResult = z
  .object({
    bytes: z.array(z.int().min(0).max(255)).max(maxPayloadBytes).optional(),
    fPort: z.int().min(1).max(223).optional(),
    warnings: messages.optional(),
    errors: messages.optional(),
  })
  .strict()
  .refine((r) => r.bytes !== undefined || failed(r), 'an answer has bytes, or errors when it failed');
export type EncodeResult = z.infer<typeof encodeResult>;

/** A codec: pure functions of bytes (ours) or of a city's file run in the sandbox (may be async). */
export interface Codec {
  decodeUplink(input: UplinkInput): DecodeResult | Promise<DecodeResult>;
  encodeDownlink(input: DownlinkInput): EncodeResult | Promise<EncodeResult>;
  /** Frees what the codec holds (the sandbox's runtime); built-in codecs hold nothing. */
  dispose?(): void;
}

/** A variable as a number (ChirpStack variables are strings), or undefined when it is not set. */
export function numberVariable(variables: Record<string, string>, name: string): number | undefined {
  const text = variables[name];
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new Error(`variable ${name} is not a number`);
  return value;
}
