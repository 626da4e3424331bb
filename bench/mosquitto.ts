import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort } from '../cloud/storage/local-influxd.ts';
import { onCleanup } from './cleanup.ts';
import { sleep } from './util.ts';

/**
 * Ceiling (1): Mosquitto (the Debian package), started on a free loopback port (never 1883, the
 * system's), with unbounded in-flight and queued messages so that it never drops QoS 1 messages
 * under overload, and a plain mqtt.js subscriber that counts what it receives.
 */
export async function startMosquitto(dir: string) {
  const port = await freePort();
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_inflight_messages 0',
      'max_queued_messages 0',
      'max_queued_bytes 0',
      'persistence false',
      'log_dest stderr',
      'log_type error',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const stop = onCleanup('mosquitto', async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(3_000).then(() => child.kill('SIGKILL'))]);
  });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited with ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`mosquitto did not listen on ${port}: ${stderr}`);
    await sleep(50);
  }
  return { url: `mqtt://127.0.0.1:${port}`, pid: child.pid as number, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A QoS 1 subscriber to every gateway's telemetry that counts the messages it receives. */
export async function countingSubscriber(url: string, topic: string) {
  const client = await mqtt.connectAsync(url, {
    clientId: 'bench-subscriber',
    clean: true,
    reconnectPeriod: 0,
  });
  const state = { received: 0, firstAt: 0, lastAt: 0 };
  client.on('message', () => {
    const now = Date.now();
    if (state.received === 0) state.firstAt = now;
    state.received++;
    state.lastAt = now;
  });
  await client.subscribeAsync(topic, { qos: 1 });
  const stop = onCleanup('subscriber', () => client.endAsync(true));
  return { state, stop };
}
