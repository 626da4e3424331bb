import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { parseTopic } from '../../shared/topics.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { Rejection, RejectReason } from './rejection.ts';
import { describeLines, describePayload, type PayloadShape } from './shape.ts';
import { type DeadLetterInput, type DeadLetterStore, letterBytes } from './store.ts';

export interface DeadLetterIntakeDeps {
  store: Pick<DeadLetterStore, 'add' | 'capture'>;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** How long a payload kept by a gateway's debug capture is kept. */
  rawTtlMs: number;
}

/** A rejected message, as the broker or ingestion hands it over. */
export interface RejectedMessage {
  topic: string;
  gatewayId: string | undefined;
  payload: Buffer;
  rejections: Rejection[];
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

/** Where the points InfluxDB refused are filed. */
export const storageTopic = 'influxdb/write';

/**
 * A topic as a dead letter keeps it: as it is when it follows the topic layout (shared/topics.ts),
 * otherwise described by its size and hash, since a topic outside the layout is text the sender chose.
 */
export function keptTopic(topic: string): string {
  if (topic === storageTopic || parseTopic(topic)) return topic;
  return `(outside the topic layout: ${Buffer.byteLength(topic)} bytes, sha256 ${sha256(topic).slice(0, 16)})`;
}

/**
 * Turns rejected input into dead letters: its size, hash and shape, never its values (nor a topic
 * outside the layout); the payload
 * itself only while an admin's debug capture is on for its gateway. A letter the store drops (its
 * gateway or its tenant is over its quota) is counted (`dead_letters_dropped`, and its bytes in
 * `dead_letter_bytes_dropped`) and logged once per gateway.
 */
export function deadLetterIntake({ store, counters, log, now, rawTtlMs }: DeadLetterIntakeDeps) {
  const warned = new Set<string>();
  async function keep(message: RejectedMessage, shape: PayloadShape): Promise<void> {
    const receivedAt = now();
    const capturing = message.gatewayId ? await store.capture(message.gatewayId) : undefined;
    const letter: DeadLetterInput = {
      receivedAt,
      topic: keptTopic(message.topic),
      gatewayId: message.gatewayId,
      rejections: message.rejections,
      size: message.payload.length,
      sha256: sha256(message.payload),
      shape,
      ...(capturing && {
        raw: { payload: Buffer.from(message.payload), expiresAt: new Date(receivedAt.getTime() + rawTtlMs) },
      }),
    };
    if (await store.add(letter)) return;
    counters.add('dead_letters_dropped');
    const { raw: _, ...withoutRaw } = letter;
    counters.add('dead_letter_bytes_dropped', letterBytes(withoutRaw));
    const key = message.gatewayId ?? '';
    if (!warned.has(key)) {
      warned.add(key);
      log.warn(
        { gatewayId: message.gatewayId, bytes: message.payload.length },
        "dead letters dropped: over the gateway's dead-letter quota (DEAD_LETTER_QUOTA_BYTES) or the tenant's (deadLetterBytes); counted, see /api/v1/dead-letters/usage",
      );
    }
  }

  return {
    /** Resolves once the letter is kept or dropped and counted. */
    rejected(message: RejectedMessage): Promise<void> {
      return keep(message, describePayload(message.payload));
    },
    /**
     * A publish the broker refused (ACL, size, rate, topic bytes, a malformed packet); `code` is the
     * rejection reason it is counted and listed under. Never throws; a failure to keep it is logged.
     */
    refusedPublish(message: {
      topic: string;
      gatewayId?: string;
      payload: Buffer;
      reason: string;
      code: RejectReason;
    }): void {
      counters.add('dead_letters');
      counters.add(`rejected_${message.code}`);
      const { topic, gatewayId, payload } = message;
      keep(
        { topic, gatewayId, payload, rejections: [{ reason: message.code, message: message.reason }] },
        describePayload(payload),
      ).catch((error: Error) =>
        log.error({ err: error, topic: keptTopic(topic), gatewayId }, 'refused publish not kept'),
      );
    },
    /**
     * Points InfluxDB refused. Resolves once the letter is kept (the storage thread keeps the batch
     * journaled until then). InfluxDB's reason quotes the line it could not parse: that is cut out.
     */
    storageRejected(lines: string[], reason: string): Promise<void> {
      let message = reason;
      for (const line of lines) if (line) message = message.replaceAll(line, '…');
      message = message.replace(/'[^']*'/g, "'…'").slice(0, 2_000);
      return keep(
        {
          topic: storageTopic,
          gatewayId: undefined,
          payload: Buffer.from(lines.join('\n')),
          rejections: [{ reason: 'storage-rejected', message }],
        },
        describeLines(lines),
      );
    },
  };
}
export type DeadLetterIntake = ReturnType<typeof deadLetterIntake>;
