import { z } from 'zod';

/** Why a message, or one item in it, was not accepted. Each reason is counted separately. */
export const rejectReason = z.enum([
  'invalid-json',
  'invalid-message',
  'gateway-mismatch',
  'invalid-reading',
  'invalid-event',
  'timestamp-out-of-range',
  'unknown-device',
  'device-kind-mismatch',
  'device-of-other-gateway',
  'publish-refused',
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
