import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import { jetStreamVariables } from '../../cloud/cluster/settings.ts';
import type { CommandRecord } from '../../cloud/commands/store.ts';
import { tenantSchemaName } from '../../cloud/postgres/schema-name.ts';
import { connectInflux, type InfluxConnection } from '../../cloud/storage/influx.ts';
import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { startLocalCluster } from '../../scripts/cluster/local-cluster.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { defaultTenantId } from '../../shared/ids.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { apiFetch, getJson, silentLog, testAdminToken } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { startCutProxy } from '../helpers/cut-proxy.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

// Registered first, so dropped last: after the cluster's nodes have stopped.
const database = testDatabase();
const cleanups = cleanupsAfterAll();

interface NodeHealth {
  mqtt: { connectedClients: number };
  counters: Record<string, number>;
}
const counter = (h: NodeHealth, name: string) => h.counters[name] ?? 0;
interface WorkerHealth {
  counters: Record<string, number>;
  rollups?: { marking: boolean; leading: boolean };
  backlog?: { waiting: number; taken: number };
}

/** Raised once for every lamp that reports its voltage, and never cleared (the voltage is always >= 0). */
const onceRule = {
  id: 'cluster-once',
  name: 'Lamp heard from',
  severity: 'info',
  target: { kind: 'streetlight' },
  condition: { type: 'threshold', metric: 'voltage', op: '>=', value: 0 },
  channels: [],
};

/** How many times each subject's alert of `cluster-once` was raised, from its `alert_event` points. */
async function raised(influx: InfluxConnection): Promise<Map<string, number>> {
  const [series = []] = await influx.query(
    `SELECT count("alertId") FROM "alert_event" WHERE "rule" = 'cluster-once' AND "transition" = 'fired' GROUP BY "subject"`,
  );
  return new Map(series.map((s) => [s.tags?.subject as string, Number(s.values[0]?.[1])]));
}

/** The journal stream (JETSTREAM_STREAM's default: the cluster runs with it). */
const journalStream = jetStreamVariables.JETSTREAM_STREAM.parse(undefined);
const health = async <T>(url: string) => (await getJson<T>(url)).body;
const ready = async (url: string) => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200;

describe('cluster mode under faults: two nodes behind HAProxy, two storage workers, NATS JetStream, PostgreSQL', () => {
  it('stores every reading the devices produced exactly once through a node kill, a worker kill, a PostgreSQL cut, a NATS restart and a 30 s InfluxDB cut; the nodes share their state in PostgreSQL and pass commands to the node holding the gateway', {
    timeout: 240_000,
  }, async () => {
    const dir = await tempDir('cluster-faults');
    cleanups.push(() => dir.remove());
    let influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
    cleanups.push(() => influxd.stop());
    const influxPort = Number(new URL(influxd.url).port);
    const fleet = generateFleet({ seed: 41, devices: 60, devicesPerGateway: 10 });
    // The nodes' shared state: a database of this test's own, behind a proxy the test can cut.
    const pool = await database.pool();
    const server = new URL(database.url);
    const pgProxy = await startCutProxy({ host: server.hostname, port: Number(server.port || 5432) });
    cleanups.push(() => pgProxy.stop());
    const databaseUrl = Object.assign(new URL(database.url), { port: String(pgProxy.port) }).toString();
    await mkdir(join(dir.path, 'rules'));
    await writeFile(join(dir.path, 'rules', 'cluster.json'), JSON.stringify([onceRule]));
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: influxd.url,
      database: 'clusterfaults',
      extra: {
        CREDENTIALS_FILE: join(dir.path, 'cloud', 'gateway-credentials.json'),
        JETSTREAM_PUBLISH_TIMEOUT_S: '2',
        DATABASE_URL: databaseUrl,
        ADMIN_TOKEN: testAdminToken,
        RULES_DIR: join(dir.path, 'rules'),
        // A killed node's rules lease frees itself after 3 s.
        RULES_LEASE_S: '3',
      },
    });
    const cluster = await startLocalCluster({
      env,
      nodes: 2,
      workers: 2,
      // A batch a killed worker had taken goes to the other one after 3 s.
      // The workers mark what they wrote in PostgreSQL and one of them computes the rollups.
      workerEnv: {
        JETSTREAM_ACK_WAIT_S: '3',
        WORKER_MAX_RETRY_S: '2',
        DATABASE_URL: databaseUrl,
        ROLLUP_INTERVAL_S: '1',
      },
    });
    cleanups.push(() => cluster.stop());
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cluster.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    const stopStream = city.stream(50);
    const apiOf = (i: number) => `http://127.0.0.1:${cluster.nodeEnvs[i]?.HTTP_PORT}/api/v1`;
    const nodeUrl = (i: number) => `http://127.0.0.1:${cluster.nodeEnvs[i]?.HTTP_PORT}/health`;
    const accepted = async () =>
      ((await health<NodeHealth>(nodeUrl(0))).counters.readings_accepted ?? 0) +
      ((await health<NodeHealth>(nodeUrl(1))).counters.readings_accepted ?? 0);
    // What a node's API reads from PostgreSQL on every call: the tokens (with a token of `secret`).
    const tokensStatus = async (i: number, secret = testAdminToken) =>
      (await apiFetch(`${apiOf(i)}/tokens`, { headers: { authorization: `Bearer ${secret}` } })).status;
    const workerUrl = (i: number) => cluster.workers[i]?.healthUrl as string;
    const written = async (i: number) =>
      (await health<WorkerHealth>(workerUrl(i))).counters.influx_points_written ?? 0;
    const allConnected = () => [...city.agents.values()].every((a) => a.connected);
    await waitFor(
      'readings stored by both workers',
      async () => (await written(0)) > 200 && (await written(1)) > 200,
    );

    // A token created through one node works through the other, and its audit entry is there too.
    const created = await apiFetch(`${apiOf(0)}/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'cluster-ops', role: 'admin' }),
    });
    expect(created.status).toBe(201);
    const { id: tokenId, token } = (await created.json()) as { id: string; token: string };
    expect(await tokensStatus(1, token)).toBe(200);
    const audit = await getJson<{ items: { action: string; target: string }[] }>(`${apiOf(1)}/audit`);
    expect(audit.body.items).toContainEqual(
      expect.objectContaining({ action: 'token.create', target: tokenId }),
    );

    const influxNow = () =>
      connectInflux({ url: influxd.url, token: '', database: 'clusterfaults', org: '' });
    // The rules: node 0, started first, holds the tenant's lease and evaluates the readings of both
    // nodes (each lamp's alert raised once); node 1 ingests and evaluates nothing.
    const lamps = new Set(
      city
        .readings()
        .filter((r) => r.kind === 'streetlight' && 'voltage' in r.metrics)
        .map((r) => r.deviceId),
    );
    await waitFor('an alert for every lamp heard from', async () => {
      const counts = await raised(await influxNow());
      return [...lamps].every((lamp) => counts.has(lamp));
    });
    const beforeKill = await health<NodeHealth>(nodeUrl(1));
    expect(counter(beforeKill, 'readings_accepted')).toBeGreaterThan(0);
    expect(counter(beforeKill, 'rules_batches_evaluated')).toBe(0);
    expect(counter(await health<NodeHealth>(nodeUrl(0)), 'rules_takeovers')).toBe(1);
    expect(new Set((await raised(await influxNow())).values())).toEqual(new Set([1]));

    // A node dies (the rules' lease holder): its gateways reconnect through HAProxy to the other one,
    // which takes the lease over once it expired and evaluates on.
    const killedAt = new Date().toISOString();
    expect((await health<NodeHealth>(nodeUrl(0))).mqtt.connectedClients).toBeGreaterThan(0);
    await cluster.killNode(0);
    await waitFor(
      'node 1 evaluating the rules',
      async () => counter(await health<NodeHealth>(nodeUrl(1)), 'rules_batches_evaluated') > 0,
      30_000,
    );
    await waitFor(
      'every gateway on the surviving node',
      async () =>
        allConnected() &&
        (await health<NodeHealth>(nodeUrl(1))).mqtt.connectedClients === fleet.gateways.length,
      30_000,
    );
    // What the surviving node saw of a device reaches PostgreSQL, and the restarted node reads it there.
    const device = fleet.devices[0]?.id as string;
    const lastSeenInDatabase = async () =>
      (
        await pool.query<{ last_seen: string | null }>(
          `SELECT last_seen FROM ${tenantSchemaName(defaultTenantId)}.devices WHERE id = $1`,
          [device],
        )
      ).rows[0]?.last_seen ?? '';
    await waitFor(
      'the device seen after the kill, in PostgreSQL',
      async () => (await lastSeenInDatabase()) > killedAt,
    );
    const seenThrough1 = await lastSeenInDatabase();
    await cluster.startNode(0);
    const seen = await getJson<{ lastSeen?: string }>(`${apiOf(0)}/devices/${device}`);
    expect((seen.body.lastSeen ?? '') >= seenThrough1).toBe(true);
    // Node 1 holds no gateway now; what node 2 sees of the device reaches node 1's API while both run
    // (the registries share their saves), and node 2's command changes reach node 1's live stream.
    await waitFor(
      'the device heard from on node 2, through node 1',
      async () =>
        ((await getJson<{ lastSeen?: string }>(`${apiOf(0)}/devices/${device}`)).body.lastSeen ?? '') >
        (seen.body.lastSeen ?? ''),
    );
    const live = await commandEvents(apiOf(0));
    cleanups.push(async () => live.close());

    // Every gateway is on node 2 now, those node 1 held before its kill too: a command to every street
    // light posted through node 1 is forwarded there, and each one's delivery and result, recorded by
    // node 2, is one record that both nodes' API read.
    const returnToSchedule = { command: { action: 'returnToSchedule' }, ttlS: 120 };
    const post = async (i: number, path: string, body: object) => {
      const response = await apiFetch(`${apiOf(i)}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(202);
      return response.json();
    };
    const commands = async (i: number, query: string) =>
      (await getJson<{ total: number; items: CommandRecord[] }>(`${apiOf(i)}/commands?${query}`)).body;
    const { count, items } = (await post(0, '/commands', {
      target: { kind: 'streetlight' },
      ...returnToSchedule,
    })) as { count: number; items: CommandRecord[] };
    expect(new Set(items.map((c) => c.gatewayId)).size).toBe(fleet.gateways.length);
    await waitFor(
      'every forwarded command succeeded',
      async () => (await commands(0, 'status=succeeded&limit=200')).total === count,
    );
    expect(await commands(1, 'limit=200')).toEqual(await commands(0, 'limit=200'));
    await waitFor('every success in node 1’s live stream', () => live.succeeded.size === count);
    live.close();

    // A storage worker dies: the other one takes its batches (after the ack wait) and the rest.
    const before = await written(1);
    await cluster.killWorker(0);
    await waitFor('the surviving worker writing on', async () => (await written(1)) > before + 500, 30_000);
    await cluster.startWorker(0);

    // PostgreSQL's connections are cut (as by a restart of it): ingest goes on through JetStream, the
    // API answers 500 where it needs the database, and both nodes reconnect by themselves. The cut
    // lasts until the nodes have tried to come back several times (the registry writes every second).
    pgProxy.cut();
    const acceptedAtCut = await accepted();
    expect([await tokensStatus(0), await tokensStatus(1)]).toEqual([500, 500]);
    const refusedAtCut = pgProxy.refused;
    await waitFor(
      'ingest going on while the nodes find no PostgreSQL',
      async () => (await accepted()) > acceptedAtCut + 500 && pgProxy.refused >= refusedAtCut + 6,
      30_000,
    );
    pgProxy.restore();
    await waitFor(
      'both nodes reading PostgreSQL again',
      async () => (await tokensStatus(0, token)) === 200 && (await tokensStatus(1, token)) === 200,
      30_000,
    );

    // NATS restarts: the nodes refuse meanwhile (no PUBACK), reconnect by themselves and accept again.
    await cluster.nats.restart();
    await waitFor(
      'both nodes ready again',
      async () => (await ready(nodeUrl(0))) && (await ready(nodeUrl(1))),
      30_000,
    );
    const afterNats = (await written(0)) + (await written(1));
    await waitFor(
      'the workers writing again',
      async () => (await written(0)) + (await written(1)) > afterNats + 200,
      30_000,
    );

    // InfluxDB is cut for 30 s: the nodes keep acknowledging into the stream; the workers retry and
    // acknowledge nothing, so every batch appended since the cut is still in the stream.
    const nc = await connect({ servers: cluster.nats.url });
    cleanups.push(() => nc.close());
    const jsm = await nc.jetstreamManager();
    const appended = async () => (await jsm.streams.info(journalStream)).state.last_seq;
    await influxd.stop();
    const acceptedBefore = await accepted();
    const appendedBefore = await appended();
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await accepted()).toBeGreaterThan(acceptedBefore + 500);
    const appendedInCut = (await appended()) - appendedBefore;
    expect(appendedInCut).toBeGreaterThan(0);
    // The workers' shared consumer, as worker 1 reports it: batches not delivered yet (waiting) and
    // delivered but not acknowledged (taken). For the first seconds of a cut (~20 s in a run sampled
    // every 0.5 s) the workers still take every new batch and give it back (nak with a delay), so
    // `waiting` is 0 at most reads; once the redeliveries fill their pulls, new batches wait
    // undelivered. A read that fails (no backlog in /health) is read again.
    const backlog = await waitFor(
      'batches waiting in the stream, undelivered (worker 1’s /health)',
      async () => {
        const now = (await health<WorkerHealth>(workerUrl(1))).backlog;
        if (!now || now.waiting === 0) throw new Error(`backlog ${JSON.stringify(now)}`);
        return now;
      },
      30_000,
    );
    expect(backlog.waiting + backlog.taken).toBeGreaterThanOrEqual(appendedInCut);
    influxd = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort: influxPort });

    await stopStream();
    const lamp = fleet.devices.find((d) => d.kind === 'streetlight') as (typeof fleet.devices)[number];
    const commandThrough = async (i: number, id: string) =>
      (await getJson<CommandRecord>(`${apiOf(i)}/commands/${id}`)).body;
    // A command for a gateway connected nowhere waits, and goes out when the gateway connects again,
    // to whichever node HAProxy gives it.
    let queued = '';
    const clients = async () =>
      (await health<NodeHealth>(nodeUrl(0))).mqtt.connectedClients +
      (await health<NodeHealth>(nodeUrl(1))).mqtt.connectedClients;
    await city.restart(lamp.gatewayId, async () => {
      await waitFor('the gateway gone', async () => (await clients()) === fleet.gateways.length - 1);
      queued = ((await post(1, `/devices/${lamp.id}/commands`, returnToSchedule)) as CommandRecord).id;
      expect((await commandThrough(0, queued)).status).toBe('pending');
    });
    await waitFor(
      'the waiting command succeeded',
      async () => (await commandThrough(1, queued)).status === 'succeeded',
    );
    await waitFor('every gateway connected', allConnected, 30_000);
    await city.drained();
    const influx = await connectInflux({ url: influxd.url, token: '', database: 'clusterfaults', org: '' });
    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(3_000);
    // Per device and timestamp: none missing, none twice, every value intact.
    await expectEveryReadingStored(influx, readings, 60_000);
    // Every lamp's alert stored exactly once, through the takeover, the PostgreSQL cut and the NATS
    // restart: a new holder finds the alerts the last one stored (refresh on takeover), and the
    // batches whose alerts were not stored yet come to it again (acknowledged only once stored).
    const allLamps = new Set(
      readings.filter((r) => r.kind === 'streetlight' && 'voltage' in r.metrics).map((r) => r.deviceId),
    );
    expect(new Set((await raised(influx)).keys())).toEqual(allLamps);
    // And announced once: a transition is announced once stored, a new holder's repeat is the same point.
    expect(new Set((await raised(influx)).values())).toEqual(new Set([1]));
    const stored = await pool.query<{ subject_id: string; n: number }>(
      `SELECT subject_id, count(*)::int AS n FROM ${tenantSchemaName(defaultTenantId)}.alerts
        WHERE rule_id = 'cluster-once' GROUP BY subject_id`,
    );
    expect(new Set(stored.rows.map((r) => r.subject_id))).toEqual(allLamps);
    expect(new Set(stored.rows.map((r) => r.n))).toEqual(new Set([1]));

    // Rollups in cluster mode (docs/rollups.md): both workers marked the hours they wrote, one of them
    // leads and computes; once nothing is dirty, the hourly rollups count every power reading stored.
    const rollupsOf = async (i: number) => (await health<WorkerHealth>(workerUrl(i))).rollups;
    expect([(await rollupsOf(0))?.marking, (await rollupsOf(1))?.marking]).toEqual([true, true]);
    const schema = tenantSchemaName(defaultTenantId);
    const dirty = async () =>
      Number(
        (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.rollup_dirty_hours`)).rows[0]
          ?.n,
      );
    await waitFor('every written hour rolled up', async () => (await dirty()) === 0, 60_000);
    expect([(await rollupsOf(0))?.leading, (await rollupsOf(1))?.leading].filter(Boolean)).toHaveLength(1);
    const [raw] = await influx.query('SELECT count("activePower") FROM "streetlight"');
    const [hourly] = await influx.query('SELECT sum("activePower_count") FROM "rollups"."streetlight_1h"');
    expect(Number(hourly?.[0]?.values[0]?.[1])).toBe(Number(raw?.[0]?.values[0]?.[1]));
  });
});

/** The ids of the commands a node's live stream (`/api/v1/events`, as the console reads it) says succeeded. */
async function commandEvents(api: string) {
  const abort = new AbortController();
  const res = await fetch(`${api}/events`, {
    headers: { authorization: `Bearer ${testAdminToken}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const succeeded = new Set<string>();
  const reader = (res.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const lines = buffer.slice(0, end).split('\n');
        buffer = buffer.slice(end + 2);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (!lines.includes('event: command') || data === undefined) continue;
        const record = JSON.parse(data) as CommandRecord;
        if (record.status === 'succeeded') succeeded.add(record.id);
      }
    }
  })();
  return { succeeded, close: () => abort.abort() };
}
