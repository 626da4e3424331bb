import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../cloud/storage/local-influxd.ts';
import { onCleanup } from './cleanup.ts';
import { functionNodeBody } from './peer-points.ts';
import { telemetryTopic } from './readings.ts';
import { sleep } from './util.ts';

/**
 * The peer (issue 18): what cities assemble instead of a platform, Mosquitto → Node-RED → InfluxDB.
 * Node-RED (npm `node-red`, run as `node red.js` in a child process, userDir in `dir`) with one flow
 * the bench writes: `mqtt in` (QoS 1, the bench's Mosquitto) → `function` (bench/peer-points.ts) →
 * `influxdb batch` (npm `node-red-contrib-influxdb`, InfluxDB v1 settings, precision ms). Nothing is
 * installed or downloaded at run time (no palette, no auto-install, no telemetry); the editor and
 * admin API are off; the optional native bcrypt addon is kept out (bench/node-red-no-addon.mjs), so
 * Node-RED uses bcryptjs (for adminAuth, which the bench does not set).
 */
export interface NodeRedOptions {
  dir: string;
  mqttPort: number;
  influxPort: number;
  database: string;
}

const require = createRequire(import.meta.url);

/** The flow, as Node-RED's flows file. */
export function peerFlow(options: NodeRedOptions) {
  return [
    { id: 'bench-tab', type: 'tab', label: 'peer' },
    {
      id: 'bench-broker',
      type: 'mqtt-broker',
      name: 'bench mosquitto',
      broker: '127.0.0.1',
      port: String(options.mqttPort),
      clientid: 'node-red-peer',
      autoConnect: true,
      usetls: false,
      protocolVersion: '4',
      keepalive: '60',
      cleansession: true,
      autoUnsubscribe: true,
    },
    {
      id: 'bench-in',
      type: 'mqtt in',
      z: 'bench-tab',
      name: 'telemetry',
      topic: telemetryTopic('+'),
      qos: '1',
      datatype: 'json',
      broker: 'bench-broker',
      nl: false,
      rap: true,
      rh: 0,
      inputs: 0,
      wires: [['bench-fn']],
    },
    {
      id: 'bench-fn',
      type: 'function',
      z: 'bench-tab',
      name: 'batch to points',
      func: functionNodeBody,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires: [['bench-out']],
    },
    {
      id: 'bench-influx',
      type: 'influxdb',
      hostname: '127.0.0.1',
      port: String(options.influxPort),
      protocol: 'http',
      database: options.database,
      name: 'bench influxd',
      usetls: false,
      influxdbVersion: '1.x',
    },
    {
      id: 'bench-out',
      type: 'influxdb batch',
      z: 'bench-tab',
      influxdb: 'bench-influx',
      precision: 'ms',
      retentionPolicy: '',
      name: 'influxdb batch',
      wires: [],
    },
  ];
}

/** Node-RED's settings file: local only, nothing fetched, nothing installed, no editor. */
export function peerSettings(uiPort: number): string {
  const settings = {
    uiPort,
    uiHost: '127.0.0.1',
    flowFile: 'flows.json',
    credentialSecret: false,
    disableEditor: true,
    httpAdminRoot: false,
    httpNodeRoot: false,
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpdate: false, allowUpload: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    logging: { console: { level: 'info', metrics: false, audit: false } },
  };
  return `module.exports = ${JSON.stringify(settings, null, 2)};\n`;
}

/** Starts Node-RED with the peer's flow; resolves once its MQTT node is connected to the broker. */
export async function startNodeRed(options: NodeRedOptions) {
  const userDir = join(options.dir, 'node-red');
  await mkdir(userDir, { recursive: true });
  const flow = peerFlow(options);
  const settings = peerSettings(await freePort());
  await writeFile(join(userDir, 'flows.json'), JSON.stringify(flow, null, 2));
  await writeFile(join(userDir, 'settings.js'), settings);
  const redJs = require.resolve('node-red/red.js');
  const noAddon = fileURLToPath(new URL('./node-red-no-addon.mjs', import.meta.url));
  const child = spawn(
    process.execPath,
    ['--import', noAddon, redJs, '--userDir', userDir, '--settings', join(userDir, 'settings.js')],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const log = { tail: '', errors: 0, connected: false, version: '' };
  const onLine = (chunk: Buffer) => {
    const text = chunk.toString();
    log.errors += text.match(/\[error\]/g)?.length ?? 0;
    log.connected ||= text.includes('Connected to broker');
    log.version ||= /Node-RED version: (\S+)/.exec(text)?.[1] ?? '';
    log.tail = (log.tail + text).slice(-3_000);
  };
  child.stdout?.on('data', onLine);
  child.stderr?.on('data', onLine);
  const stop = onCleanup('node-red', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
  });
  const deadline = Date.now() + 60_000;
  while (!log.connected) {
    if (child.exitCode !== null) throw new Error(`node-red exited with ${child.exitCode}: ${log.tail}`);
    if (Date.now() > deadline)
      throw new Error(`node-red did not connect to mosquitto within 60 s: ${log.tail}`);
    await sleep(100);
  }
  const contrib = require('node-red-contrib-influxdb/package.json') as { version: string };
  return {
    pid: child.pid as number,
    log,
    stop,
    /** What anyone needs to run the same peer. */
    settings: {
      nodeRed: log.version,
      nodeRedContribInfluxdb: contrib.version,
      command: `node --import bench/node-red-no-addon.mjs node_modules/node-red/red.js --userDir ${userDir} --settings ${join(userDir, 'settings.js')}`,
      settingsJs: settings,
      flow,
    },
  };
}
