import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectInflux } from '../../cloud/storage/influx.ts';
import { type LocalInfluxd, startLocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { startLocalCluster } from '../../scripts/cluster/local-cluster.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, silentLog } from '../helpers/cloud.ts';
import { cloudProcessEnv } from '../helpers/cloud-process-env.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

interface NodeHealth {
  mqtt: { connectedClients: number };
  counters: Record<string, number>;
}
interface WorkerHealth {
  counters: Record<string, number>;
  backlog?: { waiting: number };
}

const health = async <T>(url: string) => (await getJson<T>(url)).body;
const ready = async (url: string) => (await fetch(`${url}/ready`).catch(() => undefined))?.status === 200;

describe('cluster mode under faults: two nodes behind HAProxy, two storage workers, NATS JetStream', () => {
  it('stores every reading the devices produced exactly once through a node kill, a worker kill, a NATS restart and a 30 s InfluxDB cut', {
    timeout: 240_000,
  }, async () => {
    const dir = await tempDir('cluster-faults');
    cleanups.push(() => dir.remove());
    let influxd: LocalInfluxd = await startLocalInfluxd(join(dir.path, 'influxdb'));
    cleanups.push(() => influxd.stop());
    const influxPort = Number(new URL(influxd.url).port);
    const fleet = generateFleet({ seed: 41, devices: 60, devicesPerGateway: 10 });
    const { env, secrets } = await cloudProcessEnv({
      dir: dir.path,
      fleet,
      influxUrl: influxd.url,
      database: 'clusterfaults',
      extra: {
        CREDENTIALS_FILE: join(dir.path, 'cloud', 'gateway-credentials.json'),
        JETSTREAM_PUBLISH_TIMEOUT_S: '2',
      },
    });
    const cluster = await startLocalCluster({
      env,
      nodes: 2,
      workers: 2,
      // A batch a killed worker had taken goes to the other one after 3 s.
      workerEnv: { JETSTREAM_ACK_WAIT_S: '3', WORKER_MAX_RETRY_S: '2' },
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
    const nodeUrl = (i: number) => `http://127.0.0.1:${cluster.nodeEnvs[i]?.HTTP_PORT}/health`;
    const workerUrl = (i: number) => cluster.workers[i]?.healthUrl as string;
    const written = async (i: number) =>
      (await health<WorkerHealth>(workerUrl(i))).counters.influx_points_written ?? 0;
    const allConnected = () => [...city.agents.values()].every((a) => a.connected);
    await waitFor(
      'readings stored by both workers',
      async () => (await written(0)) > 200 && (await written(1)) > 200,
    );

    // A node dies: its gateways reconnect through HAProxy to the other one.
    await cluster.killNode(0);
    await waitFor(
      'every gateway on the surviving node',
      async () =>
        allConnected() &&
        (await health<NodeHealth>(nodeUrl(1))).mqtt.connectedClients === fleet.gateways.length,
      30_000,
    );
    await cluster.startNode(0);

    // A storage worker dies: the other one takes its batches (after the ack wait) and the rest.
    const before = await written(1);
    await cluster.killWorker(0);
    await waitFor('the surviving worker writing on', async () => (await written(1)) > before + 500, 30_000);
    await cluster.startWorker(0);

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

    // InfluxDB is cut for 30 s: the nodes keep acknowledging into the stream; the workers retry.
    const accepted = async () =>
      ((await health<NodeHealth>(nodeUrl(0))).counters.readings_accepted ?? 0) +
      ((await health<NodeHealth>(nodeUrl(1))).counters.readings_accepted ?? 0);
    await influxd.stop();
    const acceptedBefore = await accepted();
    await new Promise((r) => setTimeout(r, 30_000));
    expect(await accepted()).toBeGreaterThan(acceptedBefore + 500);
    const backlog = (await health<WorkerHealth>(workerUrl(1))).backlog?.waiting ?? 0;
    expect(backlog).toBeGreaterThan(0);
    influxd = await startLocalInfluxd(join(dir.path, 'influxdb'), { httpPort: influxPort });

    await stopStream();
    await waitFor('every gateway connected', allConnected, 30_000);
    await city.drained();
    const influx = await connectInflux({ url: influxd.url, token: '', database: 'clusterfaults', org: '' });
    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(3_000);
    // Per device and timestamp: none missing, none twice, every value intact.
    await expectEveryReadingStored(influx, readings, 60_000);
  });
});
