import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { numericMetrics } from '../../cloud/dashboards/series-query.ts';
import { deviceKind } from '../../shared/kinds/index.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

let cleanup: (() => Promise<void>) | undefined;
afterAll(async () => cleanup?.());

describe('npm start', () => {
  it('runs the platform on its embedded defaults (own influxd) with a simulated city of every kind, in the API and in InfluxDB', async () => {
    const dir = await tempDir('start');
    const child = spawn(process.execPath, ['scripts/start.ts'], {
      env: {
        ...process.env,
        DATA_DIR: dir.path,
        MQTT_PORT: '0',
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        SIM_REPORTING_INTERVAL_S: '0.5',
        INFLUX_URL: '',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanup = async () => {
      child.kill('SIGKILL');
      await dir.remove();
    };
    let api: string | undefined;
    let tokenFile: string | undefined;
    let consoleUser: string | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.includes('simulated city running')) return;
      ({ api, apiToken: tokenFile, consoleUser } = JSON.parse(line));
    });
    const devicesUrl = await waitFor('the start-up line with the API address', () => api);
    // The token is in a file of DATA_DIR, never in the log.
    expect(tokenFile).toBe(join(dir.path, 'admin-token'));
    const token = (await readFile(join(dir.path, 'admin-token'), 'utf8')).trim();
    const getJson = async <T>(url: string) => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      return { status: res.status, body: (await res.json()) as T };
    };
    expect((await fetch(devicesUrl)).status).toBe(401);
    // The console's user `admin`: its password in a file of DATA_DIR only its owner reads.
    const passwordFile = join(dir.path, 'admin-password');
    expect(consoleUser).toBe(`admin, password in ${passwordFile}`);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const signIn = await fetch(devicesUrl.replace('/api/v1/devices', '/api/v1/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: (await readFile(passwordFile, 'utf8')).trim() }),
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { user: { role: string } }).user.role).toBe('admin');
    for (const kind of deviceKind.options) {
      await waitFor(`${kind} readings`, async () => {
        const { body } = await getJson<{ total: number }>(`${devicesUrl}?kind=${kind}&status=online&limit=1`);
        return body.total > 0;
      });
    }
    // Every kind's readings reach InfluxDB: the series API reads them back from there.
    const seriesUrl = devicesUrl.replace('/api/v1/devices', '/api/v1/series');
    for (const kind of deviceKind.options) {
      const metric = numericMetrics[kind][0];
      await waitFor(`${kind} readings in InfluxDB`, async () => {
        const { body } = await getJson<{ points: { v: number | null }[] }>(
          `${seriesUrl}?kind=${kind}&metric=${metric}&fn=count&every=1h`,
        );
        return body.points.some((p) => (p.v ?? 0) > 0);
      });
    }
    const health = await getJson<{ counters: Record<string, number> }>(
      devicesUrl.replace('/api/v1/devices', '/health'),
    );
    expect(health.body.counters.readings_accepted).toBeGreaterThan(0);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
