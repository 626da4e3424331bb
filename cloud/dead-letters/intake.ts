import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import type { RejectReason } from './rejection.ts';
import type { DeadLetterStore } from './store.ts';

export interface DeadLetterIntakeDeps {
  store: Pick<DeadLetterStore, 'add'>;
  counters: Counters;
  log: Logger;
  now: () => Date;
}

/**
 * What is kept as a dead letter besides rejected uplinks (ingest keeps those): publishes the broker
 * refused (ACL, size or rate), and points InfluxDB refused to store.
 */
export function deadLetterIntake({ store, counters, log, now }: DeadLetterIntakeDeps) {
  return {
    /** `code`: the rejection reason it is counted and listed under. */
    refusedPublish(message: {
      topic: string;
      gatewayId?: string;
      payload: Buffer;
      reason: string;
      code: RejectReason;
    }): void {
      counters.add('dead_letters');
      counters.add(`rejected_${message.code}`);
      store
        .add({
          receivedAt: now(),
          topic: message.topic,
          gatewayId: message.gatewayId,
          payload: message.payload,
          rejections: [{ reason: message.code, message: message.reason }],
        })
        .catch((error: Error) =>
          log.error(
            { err: error, topic: message.topic, gatewayId: message.gatewayId },
            'refused publish not kept',
          ),
        );
    },
    /** Resolves once the letter is kept (the storage thread keeps the batch journaled until then). */
    storageRejected(lines: string[], reason: string): Promise<void> {
      return store.add({
        receivedAt: now(),
        topic: 'influxdb/write',
        gatewayId: undefined,
        payload: Buffer.from(lines.join('\n')),
        rejections: [{ reason: 'storage-rejected', message: reason.slice(0, 2_000) }],
      });
    },
  };
}
export type DeadLetterIntake = ReturnType<typeof deadLetterIntake>;
