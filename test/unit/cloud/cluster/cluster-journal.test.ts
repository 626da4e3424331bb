import { AckPolicy, DeliverPolicy, DiscardPolicy, nanos, RetentionPolicy, StorageType } from 'nats';
import { describe, expect, it } from 'vitest';
import { journalStreamConfig, workerConsumerConfig } from '../../../../cloud/cluster/journal-stream.ts';
import { RecentKeys } from '../../../../cloud/cluster/recent-keys.ts';
import { rulesConsumerConfig, rulesStreamConfig } from '../../../../cloud/cluster/rules-stream.ts';
import { jetStreamSettings } from '../../../../cloud/cluster/settings.ts';
import {
  allJournalSubjects,
  journalSubject,
  rulesChangedSubject,
  rulesPartition,
  rulesSubject,
  tenantOfSubject,
} from '../../../../cloud/cluster/subjects.ts';
import { workerConfig } from '../../../../cloud/cluster/worker-config.ts';
import { loadCloudConfig } from '../../../../cloud/config.ts';

describe('journal subjects', () => {
  it('give each tenant a subject under the prefix and read the tenant back', () => {
    expect(journalSubject('city.journal', 'karlovy-vary')).toBe('city.journal.karlovy-vary');
    expect(allJournalSubjects('city.journal')).toBe('city.journal.>');
    expect(tenantOfSubject('city.journal', 'city.journal.karlovy-vary')).toBe('karlovy-vary');
  });

  it('refuse what is not a tenant subject', () => {
    expect(() => journalSubject('city.journal', 'a.b')).toThrow(/tenant/);
    expect(() => journalSubject('city.journal', '>')).toThrow(/tenant/);
    expect(tenantOfSubject('city.journal', 'city.journalx.a')).toBeUndefined();
    expect(tenantOfSubject('city.journal', 'city.journal.a.b')).toBeUndefined();
    expect(tenantOfSubject('city.journal', 'city.journal-rejected.a')).toBeUndefined();
    expect(tenantOfSubject('city.journal', 'other.journal.a')).toBeUndefined();
  });
});

describe('rules partitions', () => {
  it('are one per tenant: a lease key, a consumer and a change subject outside the journal', () => {
    expect(rulesPartition('CITY_JOURNAL', 'karlovy-vary')).toEqual({
      bucket: 'CITY_JOURNAL_RULES_LEASES',
      key: 'karlovy-vary',
      consumer: 'rules_karlovy-vary',
    });
    expect(rulesSubject('city.journal', 'karlovy-vary')).toBe('city.journal-rules.karlovy-vary');
    expect(rulesChangedSubject('city.journal', 'karlovy-vary')).toBe(
      'city.journal-rules-changed.karlovy-vary',
    );
    expect(tenantOfSubject('city.journal', rulesSubject('city.journal', 'a'))).toBeUndefined();
    expect(tenantOfSubject('city.journal', rulesChangedSubject('city.journal', 'a'))).toBeUndefined();
  });

  it('refuse what is not a tenant id', () => {
    expect(() => rulesPartition('CITY_JOURNAL', 'a.b')).toThrow(/tenant/);
    expect(() => rulesPartition('CITY_JOURNAL', '>')).toThrow(/tenant/);
    expect(() => rulesChangedSubject('city.journal', 'a.*')).toThrow(/tenant/);
    expect(() => rulesSubject('city.journal', 'a b')).toThrow(/tenant/);
  });
});

describe('recent batch keys', () => {
  it('remember a key for the window, not a millisecond longer', () => {
    const keys = new RecentKeys({ ttlMs: 1_000, max: 10 });
    keys.add('a', 5_000);
    expect(keys.has('a', 5_999)).toBe(true);
    expect(keys.has('a', 6_000)).toBe(false);
    expect(keys.has('b', 5_000)).toBe(false);
  });

  it('forget the oldest beyond their number', () => {
    const keys = new RecentKeys({ ttlMs: 60_000, max: 2 });
    keys.add('a', 1);
    keys.add('b', 2);
    keys.add('a', 3);
    keys.add('c', 4);
    expect(keys.has('b', 5)).toBe(false);
    expect(keys.has('a', 5)).toBe(true);
    expect(keys.has('c', 5)).toBe(true);
    expect(keys.size).toBe(2);
  });
});

describe('the journal stream and the workers consumer', () => {
  const settings = jetStreamSettings({
    ...loadCloudConfig({}),
    NATS_URL: 'nats://a:4222, nats://b:4222',
    JETSTREAM_DUPLICATE_WINDOW_S: 120,
    JETSTREAM_ACK_WAIT_S: 7,
    RULES_LEASE_S: 4,
    JETSTREAM_RULES_MAX_AGE_S: 900,
  });

  it('reads the servers and durations from the environment', () => {
    expect(settings.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(settings.duplicateWindowMs).toBe(120_000);
    expect(settings.ackWaitMs).toBe(7_000);
    expect(settings.rulesLeaseMs).toBe(4_000);
  });

  it("keeps the rules' copy of the batches for a while, dropping the oldest when full, never refusing", () => {
    expect(rulesStreamConfig(settings)).toMatchObject({
      name: 'CITY_JOURNAL_RULES',
      subjects: ['city.journal-rules.*'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(900_000),
      duplicate_window: nanos(120_000),
    });
  });

  it("gives each tenant's rules a durable consumer of its subject, new batches only, redelivered after the lease time", () => {
    expect(rulesConsumerConfig(settings, 'karlovy-vary')).toMatchObject({
      durable_name: 'rules_karlovy-vary',
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(4_000),
      deliver_policy: DeliverPolicy.New,
      filter_subject: 'city.journal-rules.karlovy-vary',
    });
  });

  it('is a work queue on file that refuses new batches when full and dedupes within the window', () => {
    expect(journalStreamConfig(settings)).toMatchObject({
      name: 'CITY_JOURNAL',
      subjects: ['city.journal.>'],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      duplicate_window: nanos(120_000),
      max_bytes: 8 * 1024 ** 3,
      num_replicas: 1,
    });
  });

  it('is consumed by one durable consumer, acknowledged batch by batch', () => {
    expect(workerConsumerConfig(settings)).toMatchObject({
      durable_name: 'storage-workers',
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(7_000),
      filter_subject: 'city.journal.>',
    });
  });
});

describe('configuration', () => {
  it('leaves a cloud node embedded unless NATS_URL is set', () => {
    expect(loadCloudConfig({}).NATS_URL).toBeUndefined();
    expect(loadCloudConfig({ NATS_URL: 'nats://127.0.0.1:4222' }).NATS_URL).toBe('nats://127.0.0.1:4222');
  });

  it('refuses a stream name or prefix NATS would misread', () => {
    expect(() => loadCloudConfig({ JETSTREAM_STREAM: 'a.b' })).toThrow(/JETSTREAM_STREAM/);
    expect(() => loadCloudConfig({ JETSTREAM_SUBJECT_PREFIX: 'city.>' })).toThrow(/JETSTREAM_SUBJECT_PREFIX/);
  });

  it('needs NATS and InfluxDB for a storage worker', () => {
    expect(workerConfig.safeParse({}).success).toBe(false);
    const parsed = workerConfig.parse({ NATS_URL: 'nats://n:4222', INFLUX_URL: 'http://i:8086' });
    expect(parsed).toMatchObject({
      WORKER_BATCH_MESSAGES: 200,
      WORKER_BATCH_LINES: 5_000,
      WORKER_LINGER_MS: 200,
      WORKER_CONCURRENCY: 2,
      JETSTREAM_CONSUMER: 'storage-workers',
    });
  });

  it("refuses a worker's linger longer than half the ack wait (its messages would go to another worker)", () => {
    const base = { NATS_URL: 'nats://n:4222', INFLUX_URL: 'http://i:8086', JETSTREAM_ACK_WAIT_S: '3' };
    expect(workerConfig.safeParse({ ...base, WORKER_LINGER_MS: '1500' }).success).toBe(true);
    expect(workerConfig.safeParse({ ...base, WORKER_LINGER_MS: '1501' }).error?.issues[0]?.path).toEqual([
      'WORKER_LINGER_MS',
    ]);
  });
});
