import type { ChildProcess } from 'node:child_process';
import { freePort } from '../../cloud/storage/local-influxd.ts';
import { type CloudProcess, startCloudProcess } from '../cloud-process.ts';
import { type OwnHaproxy, startOwnHaproxy } from './haproxy.ts';
import { type OwnNats, startOwnNats } from './nats-server.ts';
import { startWorkerProcess, type WorkerProcess } from './worker-process.ts';

export interface LocalClusterOptions {
  /**
   * What every node shares (FLEET_DIR, INFLUX_URL, INFLUX_DATABASE, CREDENTIALS_FILE...). DATA_DIR is
   * the first node's; the others get DATA_DIR-2, -3... Ports are picked here.
   */
  env: Record<string, string> & { DATA_DIR: string };
  nodes: number;
  workers: number;
  /** Extra variables of the storage workers. */
  workerEnv?: Record<string, string>;
}

/**
 * Cluster mode on one machine, every part a real process: a NATS server with JetStream of its own,
 * `nodes` cloud nodes (NATS_URL set) behind HAProxy in TCP mode, and `workers` storage workers. For
 * the cluster fault test and the bench; docs/scale-out.md has the same shape in docker compose.
 */
export async function startLocalCluster(options: LocalClusterOptions) {
  const nats: OwnNats = await startOwnNats();
  const nodeEnvs: Record<string, string>[] = [];
  for (let i = 0; i < options.nodes; i++)
    nodeEnvs.push({
      ...options.env,
      NATS_URL: nats.url,
      DATA_DIR: i === 0 ? options.env.DATA_DIR : `${options.env.DATA_DIR}-${i + 1}`,
      MQTT_HOST: '127.0.0.1',
      HTTP_HOST: '127.0.0.1',
      MQTT_PORT: String(await freePort()),
      HTTP_PORT: String(await freePort()),
    });
  const workerEnv = {
    NATS_URL: nats.url,
    INFLUX_URL: options.env.INFLUX_URL as string,
    INFLUX_DATABASE: options.env.INFLUX_DATABASE ?? 'city',
    ...options.workerEnv,
  };
  const nodes: (CloudProcess | undefined)[] = [];
  const workers: (WorkerProcess | undefined)[] = [];
  let haproxy: OwnHaproxy | undefined;
  const kill = async (part: { child: ChildProcess; exited: Promise<unknown> } | undefined) => {
    if (!part) return;
    part.child.kill('SIGKILL');
    await part.exited;
  };
  const cluster = {
    nats,
    nodeEnvs,
    get nodes() {
      return nodes;
    },
    get workers() {
      return workers;
    },
    get haproxyPid() {
      return haproxy?.pid;
    },
    get mqttUrl() {
      return `mqtt://127.0.0.1:${haproxy?.port}`;
    },
    async startNode(i: number) {
      // Five processes start on the same cores: more time than a lone cloud gets.
      nodes[i] = await startCloudProcess(nodeEnvs[i] as Record<string, string>, 90_000);
    },
    async killNode(i: number) {
      await kill(nodes[i]);
      nodes[i] = undefined;
    },
    async startWorker(i: number) {
      workers[i] = await startWorkerProcess(workerEnv);
    },
    async killWorker(i: number) {
      await kill(workers[i]);
      workers[i] = undefined;
    },
    async stop() {
      await haproxy?.stop();
      for (let i = 0; i < nodes.length; i++) await cluster.killNode(i);
      for (let i = 0; i < workers.length; i++) await cluster.killWorker(i);
      await nats.stop();
    },
  };
  try {
    // The first node creates the stream and the default tenant before the others start.
    for (let i = 0; i < options.nodes; i++) await cluster.startNode(i);
    for (let i = 0; i < options.workers; i++) await cluster.startWorker(i);
    haproxy = await startOwnHaproxy(
      nodeEnvs.map((env, i) => ({ name: `node${i + 1}`, port: Number(env.MQTT_PORT) })),
    );
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

export type LocalCluster = Awaited<ReturnType<typeof startLocalCluster>>;
