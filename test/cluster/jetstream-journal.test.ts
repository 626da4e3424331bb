import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JetStreamJournal } from '../../cloud/cluster/jetstream-journal.ts';
import { JournalWorker } from '../../cloud/cluster/journal-worker.ts';
import { NatsLink } from '../../cloud/cluster/nats-link.ts';
import { rejectedStream } from '../../cloud/cluster/rejected.ts';
import { RollupLeader } from '../../cloud/cluster/rollup-leader.ts';
import { RulesPartition } from '../../cloud/cluster/rules-partition.ts';
import { type JetStreamSettings, jetStreamSettings } from '../../cloud/cluster/settings.ts';
import { WrittenMarks } from '../../cloud/cluster/written-marks.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { PostgresDatabase } from '../../cloud/postgres/database.ts';
import { PostgresRegistryStore } from '../../cloud/registry/postgres-store.ts';
import { PostgresDirtyHourStore } from '../../cloud/rollups/postgres-dirty-hours.ts';
import { RollupReader } from '../../cloud/rollups/reader.ts';
import { rollupPolicy } from '../../cloud/rollups/rollup-policy.ts';
import { rollupSources } from '../../cloud/rollups/sources.ts';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { PostgresTenantStore } from '../../cloud/tenants/postgres-store.ts';
import { tenant } from '../../cloud/tenants/schema.ts';
import { startOwnNats as startTestNats } from '../../scripts/cluster/nats-server.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { defaultTenantId } from '../../shared/ids.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog, startTestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();
const postgres = testDatabase();

let streams = 0;
function settings(url: string): JetStreamSettings {
  const n = streams++;
  return jetStreamSettings({
    NATS_URL: url,
    JETSTREAM_STREAM: `TEST_JOURNAL_${n}`,
    JETSTREAM_SUBJECT_PREFIX: `test${n}.journal`,
    JETSTREAM_DUPLICATE_WINDOW_S: 60,
    JETSTREAM_MAX_BYTES: 64 * 1024 ** 2,
    JETSTREAM_REPLICAS: 1,
    JETSTREAM_PUBLISH_TIMEOUT_S: 2,
    JETSTREAM_CONSUMER: 'workers',
    JETSTREAM_ACK_WAIT_S: 5,
    RULES_LEASE_S: 10,
    JETSTREAM_RULES_MAX_AGE_S: 60,
  });
}

async function link(s: JetStreamSettings) {
  const l = new NatsLink(s, silentLog);
  await l.start('test');
  cleanups.push(() => l.stop());
  return l;
}

const journalOn = (l: NatsLink, counters = new Counters()) =>
  new JetStreamJournal({ link: l, tenant: 'city-a', counters, log: silentLog, now: () => new Date() });

/** A node's rules partition for tenant city-a, with rules that note what they were given. */
function rulesNode(l: NatsLink, node: string) {
  const seen = { evaluated: [] as string[], reloads: 0, takeovers: 0 };
  const partition = new RulesPartition({
    link: l,
    tenant: 'city-a',
    node,
    rules: {
      evaluate: ({ readings }) => seen.evaluated.push(...readings.map((r) => r.deviceId)),
      settled: async () => undefined,
      takeOver: async () => {
        seen.takeovers++;
      },
      reload: async () => {
        seen.reloads++;
      },
    },
    registry: { place: (gatewayId) => ({ gatewayId }) as never, recordReadings: () => undefined },
    counters: new Counters(),
    log: silentLog,
  });
  cleanups.push(() => partition.stop());
  return { partition, seen };
}

const lamp = (id: string, ms: number) =>
  `streetlight,device=${id},gateway=gw-1,kind=streetlight voltage=230 ${ms}`;

describe('the JetStream journal (cluster mode)', () => {
  it('stores a batch appended twice through two nodes once (its batch key is the message id)', async () => {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const s = settings(nats.url);
    const [nodeA, nodeB] = [await link(s), await link(s)];
    const counters = new Counters();
    await journalOn(nodeA).append({ lines: ['m,device=d1 v=1 1000'], key: 'batch-1' });
    await journalOn(nodeB, counters).append({ lines: ['m,device=d1 v=1 1000'], key: 'batch-1' });
    await journalOn(nodeB).append({ lines: ['m,device=d1 v=2 2000'], key: 'batch-2' });
    expect(counters.get('journal_duplicate_appends')).toBe(1);
    const info = await nodeA.jsm.streams.info(s.stream);
    expect(info.state.messages).toBe(2);
  });

  it('refuses appends while NATS is down and confirms them again once it is back, by itself', {
    timeout: 60_000,
  }, async () => {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const s = settings(nats.url);
    const node = await link(s);
    const journal = journalOn(node);
    await journal.append({ lines: ['m,device=d1 v=1 1000'], key: 'before' });
    const restarted = nats.restart();
    await waitFor('the node to see NATS gone', () => !node.connected);
    await expect(journal.append({ lines: ['m,device=d1 v=2 2000'], key: 'during' })).rejects.toThrow(
      /refused|did not confirm/,
    );
    expect(journal.refusing.join()).toMatch(/NATS/);
    await restarted;
    await waitFor('the node to reconnect', () => node.connected);
    await journal.append({ lines: ['m,device=d1 v=2 2000'], key: 'during' });
    const info = await node.jsm.streams.info(s.stream);
    expect(info.state.messages).toBe(2);
  });

  it("gives a tenant's rules to one node at a time, which reads every node's batches; a stop hands them over", async () => {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const s = { ...settings(nats.url), rulesLeaseMs: 1_000 };
    const [linkA, linkB] = [await link(s), await link(s)];
    const a = rulesNode(linkA, 'a');
    const b = rulesNode(linkB, 'b');
    await a.partition.start();
    await b.partition.start();
    expect([a.partition.owns(), b.partition.owns()]).toEqual([true, false]);
    await journalOn(linkA).append({ lines: [lamp('l1', 1_000)], key: 'k1' });
    await journalOn(linkB).append({
      lines: [lamp('l2', 2_000), 'gateway_health,gateway=gw-1 uptime=5 2000'],
      key: 'k2',
    });
    await waitFor('the holder to evaluate the batches of both nodes', () => a.seen.evaluated.length === 2);
    expect(a.seen.evaluated).toEqual(['l1', 'l2']);
    // A rule changed through the other node: the holder reads the definitions again.
    b.partition.changed();
    await waitFor('the holder to reload the rules', () => a.seen.reloads === 1);
    // A clean stop: the other takes over at its next round and goes on where the first stopped.
    await a.partition.stop();
    await waitFor('the other node to take over', () => b.partition.owns());
    await journalOn(linkA).append({ lines: [lamp('l3', 3_000)], key: 'k3' });
    await waitFor('the new holder to evaluate', () => b.seen.evaluated.length === 1);
    expect(b.seen).toEqual({ evaluated: ['l3'], reloads: 0, takeovers: 1 });
    expect(a.seen).toEqual({ evaluated: ['l1', 'l2'], reloads: 1, takeovers: 1 });
  });

  it('carries a city from the broker through the stream and a storage worker into InfluxDB', {
    timeout: 90_000,
  }, async () => {
    const [nats, influxd, dir] = await Promise.all([startTestNats(), startTestInfluxd(), tempDir('js-city')]);
    cleanups.push(
      () => nats.stop(),
      () => influxd.stop(),
      () => dir.remove(),
    );
    const s = settings(nats.url);
    const fleet = generateFleet({ seed: 31, devices: 30, devicesPerGateway: 10 });
    const cloud = await startTestCloud(influxd.url, fleet, {
      NATS_URL: nats.url,
      JETSTREAM_STREAM: s.stream,
      JETSTREAM_SUBJECT_PREFIX: s.subjectPrefix,
    });
    cleanups.push(() => cloud.stop());
    // Rollups in cluster mode: the worker marks the hours it wrote into in PostgreSQL (docs/rollups.md).
    await postgres.pool();
    const database = await PostgresDatabase.connect(postgres.url);
    cleanups.push(() => database.close());
    const schemaOf = (id: string) => database.tenant(id);
    const now = () => new Date();
    const marks = new WrittenMarks({ schemaOf, measurements: rollupSources.map((r) => r.measurement), now });
    const counters = new Counters();
    const workerLink = await link(s);
    const worker = new JournalWorker({
      link: workerLink,
      influx: cloud.influx.withDatabase(cloud.influx.settings.database),
      fetchMessages: 50,
      batchLines: 5_000,
      lingerMs: 100,
      concurrency: 2,
      minRetryMs: 100,
      maxRetryMs: 1_000,
      counters,
      log: silentLog,
      written: (id, records) => marks.mark(id, records),
    });
    await worker.start();
    cleanups.push(() => worker.stop());
    const secrets = new Map<string, string>();
    for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cloud.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    for (let i = 0; i < 20; i++) await city.pollAll();
    await city.drained();
    // Acknowledged means in the stream: the node wrote nothing to InfluxDB itself.
    expect(cloud.cloud.counters.get('influx_points_written')).toBe(0);
    await cloud.cloud.flush();
    await expectEveryReadingStored(cloud.influx, city.readings());
    expect(counters.get('influx_points_written')).toBeGreaterThanOrEqual(city.readings().length);

    // A message InfluxDB refuses (400) is kept as rejected on its own: one written with it is stored.
    const appends = journalOn(workerLink);
    await Promise.all([
      appends.append({ lines: ['streetlight,device=l9'], key: 'malformed' }),
      appends.append({ lines: [lamp('l9', 9_000)], key: 'fine' }),
    ]);
    const rejected = rejectedStream(s).name;
    await waitFor('the malformed message kept as rejected', async () => {
      return (await workerLink.jsm.streams.info(rejected)).state.messages === 1;
    });
    expect((await workerLink.jsm.streams.getMessage(rejected, { seq: 1 })).string()).toBe(
      'streetlight,device=l9',
    );
    const cityA = cloud.influx.withDatabase(tenantDatabase(cloud.influx.settings.database, 'city-a'));
    await waitFor('the message written with it stored', async () => {
      return (await cityA.select('SELECT count(voltage) FROM streetlight')).length === 1;
    });

    // Every hour of the readings was marked by the worker before it acknowledged the batches.
    const schema = await schemaOf(defaultTenantId);
    const hourOf = (ts: string) => Math.floor(Date.parse(ts) / 3_600_000) * 3_600_000;
    const hours = [...new Set(city.readings().map((r) => hourOf(r.ts)))];
    const dirty = await new PostgresDirtyHourStore(schema).dirty(1_000);
    for (const hour of hours)
      expect(dirty).toContainEqual(expect.objectContaining({ measurement: 'streetlight', hour }));
    // One leader in the cluster computes them: the lock's holder; a second worker leads nothing meanwhile.
    const platform = await database.platform();
    await new PostgresTenantStore(platform).create(
      tenant.parse({
        ...fleet.city,
        id: defaultTenantId,
        status: 'active',
        quotas: {
          devices: 100,
          gateways: 10,
          messagesPerSecond: 100,
          deadLetterBytes: 1e6,
          retentionDays: 400,
        },
        createdAt: now().toISOString(),
      }),
    );
    await new PostgresRegistryStore(schema).saveDevices(
      fleet.devices.map((d) => ({ ...d, provisioned: true, latest: {} })),
    );
    const leaderOf = () =>
      new RollupLeader({
        pool: database.pool,
        influx: cloud.influx.withDatabase(cloud.influx.settings.database),
        tenants: () => new PostgresTenantStore(platform).list(),
        schemaOf,
        sources: rollupSources,
        retentionDays: 3650,
        intervalMs: 60_000,
        batchHours: 48,
        now,
        log: silentLog,
      });
    const [leader, other] = [leaderOf(), leaderOf()];
    cleanups.push(
      () => leader.stop(),
      () => other.stop(),
    );
    expect(await leader.pass()).toBe(true);
    expect(await other.pass()).toBe(false);
    expect(await new PostgresDirtyHourStore(schema).count()).toBe(0);
    // The lock goes with the leader: once it stops, the other worker takes over.
    await leader.stop();
    await expect.poll(() => other.pass()).toBe(true);
    // The hourly mean power per district equals the one computed from the readings sent.
    const district = new Map(fleet.devices.map((d) => [d.id, d.district]));
    const want = new Map<string, number[]>();
    for (const r of city.readings()) {
      const power = (r.metrics as Record<string, unknown>).activePower;
      if (r.kind !== 'streetlight' || typeof power !== 'number') continue;
      const key = `${new Date(hourOf(r.ts)).toISOString()} ${district.get(r.deviceId)}`;
      want.set(key, [...(want.get(key) ?? []), power]);
    }
    const rows = await new RollupReader(cloud.influx, rollupPolicy, () => fleet.city.timezone).read({
      kind: 'streetlight',
      metric: 'activePower',
      fn: 'mean',
      granularity: 'hour',
      by: 'district',
      from: new Date(Math.min(...hours)),
      to: new Date(Math.max(...hours) + 3_600_000),
    });
    expect(rows.map((r) => `${r.start} ${r.key}`).sort()).toEqual([...want.keys()].sort());
    for (const row of rows) {
      const values = want.get(`${row.start} ${row.key}`) as number[];
      expect(row.readings).toBe(values.length);
      expect(row.value).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 6);
    }
  });
});
