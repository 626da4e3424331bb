import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../cloud/storage/local-influxd.ts';
import { waitFor } from './wait.ts';

/**
 * A Mosquitto of the test's own (the Debian package) on a free loopback port, never the system's
 * 1883, that admits its users with their passwords (from mosquitto_passwd): a camera site's broker,
 * or a city's own broker.
 */
export async function startMosquitto(
  dir: string,
  user: { name: string; password: string },
  others: { name: string; password: string }[] = [],
) {
  const port = await freePort();
  const passwords = join(dir, 'mosquitto.passwd');
  await promisify(execFile)('mosquitto_passwd', ['-b', '-c', passwords, user.name, user.password]);
  for (const other of others)
    await promisify(execFile)('mosquitto_passwd', ['-b', passwords, other.name, other.password]);
  const conf = join(dir, 'mosquitto.conf');
  await writeFile(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous false',
      `password_file ${passwords}`,
      'persistence false',
      // Started as root, Mosquitto would become user mosquitto, who cannot read the test's folder.
      `user ${userInfo().username}`,
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-2_000);
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`mosquitto exited with ${code}: ${stderr}`);
  });
  await Promise.race([exited, waitFor(`mosquitto listening on ${port}`, () => canConnect(port))]);
  exited.catch(() => undefined);
  return {
    url: `mqtt://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
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
