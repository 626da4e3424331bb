import {
  AckPolicy,
  type ConsumerConfig,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import type { JetStreamSettings } from './settings.ts';
import { allJournalSubjects } from './subjects.ts';

/**
 * The journal stream: file storage, work-queue retention (a batch leaves once a storage worker
 * acknowledged it, i.e. once InfluxDB has it), batch ids remembered for the duplicate window, and
 * new appends refused when it is full (discard new: the node sends no PUBACK, the gateway keeps the
 * batch in its outbox).
 */
export function journalStreamConfig(settings: JetStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: settings.stream,
    subjects: [allJournalSubjects(settings.subjectPrefix)],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: settings.maxBytes,
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
}

/** The storage workers' shared durable pull consumer: explicit acknowledgement, one batch to one worker at a time. */
export function workerConsumerConfig(settings: JetStreamSettings): Partial<ConsumerConfig> {
  return {
    durable_name: settings.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.ackWaitMs),
    max_ack_pending: 50_000,
    filter_subject: allJournalSubjects(settings.subjectPrefix),
  };
}

function notFound(error: unknown): boolean {
  return /not found/i.test((error as Error).message ?? '');
}

/** Creates the stream if it does not exist (another node or worker may have made it; its settings are kept). */
export function ensureJournalStream(jsm: JetStreamManager, settings: JetStreamSettings): Promise<void> {
  return ensureStream(jsm, journalStreamConfig(settings));
}

/** Creates a stream if it does not exist (another process may make it meanwhile; its settings are kept). */
export async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (error) {
    if (!notFound(error)) throw error;
    await jsm.streams.add(config).catch(async (adding: Error) => {
      // Made meanwhile by another process: fine.
      await jsm.streams.info(config.name).catch(() => {
        throw new Error(`creating JetStream stream ${config.name} failed: ${adding.message}`);
      });
    });
  }
}

/** Creates a consumer if it does not exist (another process may make it meanwhile; its settings are kept). */
export async function ensureConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig> & { durable_name: string },
): Promise<void> {
  try {
    await jsm.consumers.info(stream, config.durable_name);
  } catch (error) {
    if (!notFound(error)) throw error;
    await jsm.consumers.add(stream, config).catch(async (adding: Error) => {
      await jsm.consumers.info(stream, config.durable_name).catch(() => {
        throw new Error(`creating JetStream consumer ${config.durable_name} failed: ${adding.message}`);
      });
    });
  }
}

/** Creates the workers' consumer if it does not exist. */
export function ensureWorkerConsumer(jsm: JetStreamManager, settings: JetStreamSettings): Promise<void> {
  return ensureConsumer(jsm, settings.stream, {
    ...workerConsumerConfig(settings),
    durable_name: settings.consumer,
  });
}
