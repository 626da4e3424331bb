import { z } from 'zod';

/** Why a message, or one item in it, was not accepted. Each reason is counted separately. */
export const rejectReason = z.enum([
  /** Bytes that are not well-formed UTF-8, in the payload or the topic: refused, never replaced. */
  'invalid-utf8',
  'invalid-json',
  /** A JSON object with the same key twice (JSON.parse would silently keep the last). */
  'duplicate-json-key',
  'invalid-message',
  'gateway-mismatch',
  'invalid-reading',
  'invalid-event',
  'timestamp-out-of-range',
  'unknown-device',
  'device-kind-mismatch',
  'device-of-other-gateway',
  /** A device not learned (LEARN_UNPROVISIONED_DEVICES): its tenant's registry holds its quota of devices. */
  'device-over-quota',
  /** Refused by the broker: the ACL, a size or rate limit, a wildcard, empty or too deep topic. */
  'publish-refused',
  /** An MQTT packet the broker could not decode; the connection is closed. */
  'malformed-packet',
  'storage-rejected',
]);
export type RejectReason = z.infer<typeof rejectReason>;

export const rejection = z.object({
  reason: rejectReason,
  message: z.string(),
  /** Index of the reading or event inside the batch; absent when the whole message is rejected. */
  index: z.int().min(0).optional(),
});
export type Rejection = z.infer<typeof rejection>;
