import { z } from 'zod';
import { type Rejection, rejection } from './rejection.ts';
import { type PayloadShape, payloadShape } from './shape.ts';

/**
 * A rejected message, kept once with every reason it (or items in it) was rejected for. What is kept
 * of the payload is its size, hash and shape; the bytes themselves only while the gateway's debug
 * capture is on (`raw`), and only until `raw.expiresAt`.
 */
export interface DeadLetterInput {
  receivedAt: Date;
  topic: string;
  gatewayId: string | undefined;
  rejections: Rejection[];
  /** Bytes in the payload. */
  size: number;
  /** SHA-256 of the payload, hex. */
  sha256: string;
  shape: PayloadShape;
  raw?: { payload: Buffer; expiresAt: Date };
}

/** A dead letter as the API shows it to every role: no value of the payload. */
export const deadLetter = z
  .object({
    id: z.int(),
    receivedAt: z.string(),
    topic: z.string(),
    gatewayId: z.string().optional(),
    rejections: z.array(rejection),
    size: z.int().min(0).meta({ description: 'Bytes in the payload' }),
    sha256: z.string().meta({ description: 'SHA-256 of the payload, hex: compare with what a device sent' }),
    shape: payloadShape,
    rawExpiresAt: z.string().optional().meta({
      description:
        'The raw payload is kept until then (debug capture); admins read it at /dead-letters/{id}/payload',
    }),
  })
  .meta({ id: 'DeadLetter' });
export type DeadLetter = z.infer<typeof deadLetter>;

/** A payload kept by a debug capture, as its admin reader gets it. */
export const rawPayload = z
  .object({
    /** UTF-8 text when the payload is valid UTF-8 (a BOM kept), otherwise base64. */
    payload: z.string(),
    payloadEncoding: z.enum(['utf8', 'base64']),
    expiresAt: z.string(),
  })
  .meta({ id: 'RawPayload' });
export type RawPayload = z.infer<typeof rawPayload>;

/** What the letters of one gateway take in the store (no gateway: letters InfluxDB refused). */
export const gatewayUsage = z
  .object({
    gatewayId: z.string().optional(),
    bytes: z.int().min(0),
    letters: z.int().min(0),
    dropped: z.int().min(0).meta({ description: 'Letters not kept because the gateway was over its quota' }),
  })
  .meta({ id: 'DeadLetterUsage' });
export type GatewayUsage = z.infer<typeof gatewayUsage>;

export interface DeadLetterQuery {
  gatewayId?: string;
  reason?: string;
  limit: number;
  offset: number;
}

export interface DeadLetterStoreOptions {
  /** The store keeps at most this many letters (the newest). */
  maxRows?: number;
  /** Bytes (`letterBytes`) the letters of one gateway may take; past it new letters are dropped. */
  quotaBytes?: number;
  /**
   * Bytes all the letters together may take (the store is one tenant's: its `deadLetterBytes`
   * quota), read at each letter; past it new letters are dropped. Unlimited without it.
   */
  totalQuotaBytes?: () => number;
  now?: () => Date;
}

/**
 * Rejected messages kept for inspection, newest first, bounded in rows, in bytes per gateway and in
 * bytes in all (the tenant's quota).
 * test/conformance/dead-letter-store.ts is the suite every store must pass.
 */
export interface DeadLetterStore {
  /**
   * Resolves true once the letter is kept, false when it was dropped (over its gateway's quota or the
   * total quota) and counted. A raw payload that would take it over a quota is left out, and the
   * letter kept without it.
   */
  add(letter: DeadLetterInput): Promise<boolean>;
  /** Newest first; `reason` matches a letter with any rejection for that reason. */
  list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }>;
  /** The raw payload of a letter; undefined when none was kept or it expired (then it is deleted). */
  rawPayload(id: number): Promise<RawPayload | undefined>;
  /** Deletes the raw payloads past their expiry; returns how many. */
  dropExpiredPayloads(): Promise<number>;
  /** Deletes letters received before `before` (ISO); returns how many (DEAD_LETTER_RETENTION_DAYS). */
  pruneBefore(before: string): Promise<number>;
  /** Bytes, letters and dropped letters per gateway that has any. */
  usage(): Promise<GatewayUsage[]>;
  /** Turns a gateway's debug capture on until `until`, or off (undefined). */
  setCapture(gatewayId: string, until: Date | undefined): Promise<void>;
  /** Until when the gateway's debug capture is on; undefined when it is off or over. */
  capture(gatewayId: string): Promise<Date | undefined>;
}

/** What a letter takes in the store, counted against its gateway's quota. */
export function letterBytes(letter: DeadLetterInput): number {
  return (
    Buffer.byteLength(letter.topic) +
    Buffer.byteLength(JSON.stringify(letter.shape)) +
    Buffer.byteLength(JSON.stringify(letter.rejections)) +
    letter.sha256.length +
    (letter.raw?.payload.length ?? 0)
  );
}

/** Bytes used of a quota: the gateway's, or the tenant's (all its letters). */
export interface QuotaUse {
  used: number;
  quota: number;
}

/**
 * The letter as it fits every quota (each with the bytes it already uses): whole, without its raw
 * payload, or not at all (undefined).
 */
export function fitQuotas(letter: DeadLetterInput, quotas: readonly QuotaUse[]): DeadLetterInput | undefined {
  const fits = (candidate: DeadLetterInput) => {
    const bytes = letterBytes(candidate);
    return quotas.every(({ used, quota }) => used + bytes <= quota);
  };
  if (fits(letter)) return letter;
  const { raw: _, ...withoutRaw } = letter;
  return letter.raw && fits(withoutRaw) ? withoutRaw : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A payload as UTF-8 text when it is valid UTF-8, otherwise base64. */
export function payloadText(bytes: Uint8Array): Pick<RawPayload, 'payload' | 'payloadEncoding'> {
  try {
    return { payload: utf8.decode(bytes), payloadEncoding: 'utf8' };
  } catch {
    return { payload: Buffer.from(bytes).toString('base64'), payloadEncoding: 'base64' };
  }
}

export const defaultMaxRows = 100_000;
export const defaultQuotaBytes = 10 * 1_048_576;
