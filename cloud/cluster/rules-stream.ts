import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  nanos,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from 'nats';
import { ensureConsumer, ensureStream } from './journal-stream.ts';
import type { JetStreamSettings } from './settings.ts';
import { rulesPartition, rulesSubject } from './subjects.ts';

/**
 * The rules' copy of every batch (`<prefix>-rules.<tenant>`), beside the journal: a log kept for
 * `JETSTREAM_RULES_MAX_AGE_S` whoever read it, not a work queue, so that each tenant's rules consumer
 * reads every batch while the storage workers take theirs from the journal (a work-queue stream
 * allows one consumer per subject). Full, it drops its oldest: it never refuses a gateway's batch.
 * Not interest retention on the journal: on NATS 2.9.10 an interest stream lost acknowledged
 * batches across a server restart (checked here with two consumers), work queue and limits did not.
 */
export function rulesStreamConfig(settings: JetStreamSettings): Partial<StreamConfig> & { name: string } {
  return {
    name: `${settings.stream}_RULES`,
    subjects: [`${settings.subjectPrefix}-rules.*`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(settings.rulesMaxAgeMs),
    max_bytes: settings.maxBytes,
    duplicate_window: nanos(settings.duplicateWindowMs),
    num_replicas: settings.replicas,
  };
}

/**
 * A tenant's rules consumer: durable, read by whichever node holds the tenant's rules lease, so a new
 * holder goes on where the last one stopped. A batch taken and not acknowledged (its node died) comes
 * again after the lease time, when another node has taken over. New batches only when first made.
 */
export function rulesConsumerConfig(
  settings: JetStreamSettings,
  tenant: string,
): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: rulesPartition(settings.stream, tenant).consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(settings.rulesLeaseMs),
    deliver_policy: DeliverPolicy.New,
    max_ack_pending: 10_000,
    filter_subject: rulesSubject(settings.subjectPrefix, tenant),
  };
}

export function ensureRulesStream(jsm: JetStreamManager, settings: JetStreamSettings): Promise<void> {
  return ensureStream(jsm, rulesStreamConfig(settings));
}

export function ensureRulesConsumer(
  jsm: JetStreamManager,
  settings: JetStreamSettings,
  tenant: string,
): Promise<void> {
  return ensureConsumer(jsm, rulesStreamConfig(settings).name, rulesConsumerConfig(settings, tenant));
}
