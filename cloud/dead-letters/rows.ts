import type { Rejection } from './rejection.ts';
import type { PayloadShape } from './shape.ts';
import type { DeadLetter, GatewayUsage } from './store.ts';

/** A dead-letter row as SQLite and PostgreSQL return it, turned into its record. */
export type Row = Record<string, unknown>;

/** The columns `toDeadLetter` reads, in the order both stores select them. */
export const letterColumns = 'id, received_at, topic, gateway_id, size, sha256, shape, raw_expires_at';

export function toRejection(row: Row): Rejection {
  return {
    reason: row.reason as Rejection['reason'],
    message: String(row.message),
    ...(row.item_index === null ? {} : { index: Number(row.item_index) }),
  };
}

/** A letter with its reasons; its raw payload's expiry is shown only while it is after `now` (ISO). */
export function toDeadLetter(row: Row, rejections: Rejection[], now: string): DeadLetter {
  const expires = row.raw_expires_at === null ? undefined : String(row.raw_expires_at);
  return {
    id: Number(row.id),
    receivedAt: String(row.received_at),
    topic: String(row.topic),
    ...(row.gateway_id === null ? {} : { gatewayId: String(row.gateway_id) }),
    rejections,
    size: Number(row.size),
    sha256: String(row.sha256),
    shape: JSON.parse(String(row.shape)) as PayloadShape,
    ...(expires && expires > now ? { rawExpiresAt: expires } : {}),
  };
}

/** The columns `toUsage` reads. */
export const usageColumns = 'gateway_key, bytes, letters, dropped';

/** A usage row; the letters of no gateway are kept under the key ''. */
export function toUsage(row: Row): GatewayUsage {
  return {
    ...(row.gateway_key === '' ? {} : { gatewayId: String(row.gateway_key) }),
    bytes: Number(row.bytes),
    letters: Number(row.letters),
    dropped: Number(row.dropped),
  };
}
