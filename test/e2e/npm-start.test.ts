import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';
import { getTimes } from 'suncalc';
import { afterAll, describe, expect, it } from 'vitest';
import { numericMetrics } from '../../cloud/dashboards/series-query.ts';
import { deviceKind } from '../../shared/kinds/index.ts';
import { descendants, isRunning, type ProcessInfo } from '../helpers/processes.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

interface Started {
  /** The npm process (the one a person's Ctrl-C or a supervisor's SIGTERM reaches). */
  npm: number;
  lines: string[];
  exited: Promise<number | null>;
  dir: string;
}

/**
 * Runs `npm start` as a person does, with its own DATA_DIR and free ports; on a terminal (`tty`:
 * under `script`, which gives it a pseudo-terminal) or with stdout a pipe.
 */
async function npmStart(env: Record<string, string>, tty = false): Promise<Started> {
  const dir = await tempDir('start');
  const npmEnv = {
    ...process.env,
    // npm runs `node` from PATH: this Node first.
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
    DATA_DIR: dir.path,
    MQTT_PORT: '0',
    HTTP_PORT: '0',
    HTTP_HOST: '127.0.0.1',
    INFLUX_URL: '',
    ...env,
  };
  const child: ChildProcess = tty
    ? spawn('script', ['-qfec', 'exec npm start', '/dev/null'], {
        env: npmEnv,
        stdio: ['pipe', 'pipe', 'inherit'],
      })
    : spawn('npm', ['start'], { env: npmEnv, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(line));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const npm = tty
    ? (
        await waitFor('npm under script', () =>
          descendants(child.pid as number).find((p) => p.ppid === child.pid),
        )
      ).pid
    : (child.pid as number);
  cleanups.push(async () => {
    for (const p of [...descendants(child.pid as number), { pid: child.pid as number }]) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await dir.remove();
  });
  return { npm, lines, exited, dir: dir.path };
}

/** Sends `signal` to the npm process; resolves with npm's exit code once every process it started has ended. */
async function stopNpm(started: Started, signal: NodeJS.Signals, processes: ProcessInfo[]) {
  process.kill(started.npm, signal);
  const code = await started.exited;
  for (const p of processes) await waitFor(`${p.name} (pid ${p.pid}) to end`, () => !isRunning(p.pid));
  return code;
}

describe('npm start', () => {
  it('runs the demo region in fast time on one clock: its towns created, every kind stored, nothing dead-lettered, the problems each town starts with alerted, lamps switching at dusk; stops on SIGTERM to npm with no process left', async () => {
    // Eight hours before today's sunset in Karlovy Vary (the region's largest town), at 240 times real
    // speed: 120 s of real time for the region to start (its simulated clock runs from the start) and
    // still meet the lamps off. (Quiet, it starts in ~7 s; CI runs the cluster's fault test beside it,
    // and once took over 90 s.)
    const sunset = getTimes(new Date(), 50.2306, 12.8711).sunset as Date;
    const started = await npmStart({
      SIM_SPEED: '240',
      SIM_START: new Date(sunset.getTime() - 8 * 3_600_000).toISOString(),
      SIM_REPORTING_INTERVAL_S: '60',
      SIM_MALFORMED_RATE: '0',
    });
    const running = await waitFor(
      'the start-up line',
      () => started.lines.find((line) => line.includes('simulated city running')),
      120_000,
    );
    // Not a terminal: JSON lines for machines (after npm's own header).
    const logLines = started.lines.filter((line) => line.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(3);
    for (const line of started.lines) if (line.trim() && !line.startsWith('>')) JSON.parse(line);
    const { api: devicesUrl, apiToken: tokenFile, consoleUser } = JSON.parse(running);
    // The token is in a file of DATA_DIR, never in the log.
    expect(tokenFile).toBe(join(started.dir, 'admin-token'));
    const token = (await readFile(tokenFile, 'utf8')).trim();
    // The console's user `admin`: its password in a file of DATA_DIR only its owner reads.
    const passwordFile = join(started.dir, 'admin-password');
    expect(consoleUser).toBe(`admin, password in ${passwordFile}`);
    expect((await stat(passwordFile)).mode & 0o777).toBe(0o600);
    const signIn = await fetch(devicesUrl.replace('/api/v1/devices', '/api/v1/session'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: (await readFile(passwordFile, 'utf8')).trim() }),
    });
    expect(signIn.status).toBe(200);
    expect(((await signIn.json()) as { user: { role: string } }).user.role).toBe('admin');
    const base = devicesUrl.replace('/api/v1/devices', '');
    // The demo's token is region staff's: it names the town it asks about.
    const getJson = async <T>(path: string, tenant = 'karlovy-vary') => {
      const res = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}`, 'x-tenant': tenant },
      });
      return (await res.json()) as T;
    };
    const towns = ['bochov', 'cheb', 'karlovy-vary', 'marianske-lazne'];
    const { items: tenants } = await getJson<{ items: { id: string }[] }>('/api/v1/tenants');
    expect(tenants.map((t) => t.id)).toEqual(towns);
    expect((await fetch(devicesUrl)).status).toBe(401);
    const firstSummary = await getJson<{ streetlight: { total: number; on: number; off: number } }>(
      '/api/v1/summary',
    );
    // The problems the demo city starts with are alerted within seconds.
    const rules = ['lamp-fault', 'bin-full', 'charger-faulted', 'camera-poor-5g-link'];
    await waitFor('the demo city’s alerts', async () => {
      const { items } = await getJson<{ items: { ruleId: string }[] }>(
        '/api/v1/alerts?state=firing&limit=100',
      );
      return rules.every((rule) => items.some((a) => a.ruleId === rule));
    });
    // Every town's, together, in the region's dispatch view.
    await waitFor('alerts of every town in the region view', async () => {
      const { items } = await getJson<{ items: { tenant: string }[] }>('/api/v1/region/alerts?limit=1000');
      return towns.every((town) => items.some((a) => a.tenant === town));
    });
    for (const kind of deviceKind.options) {
      await waitFor(`${kind} readings`, async () => {
        const { total } = await getJson<{ total: number }>(
          `/api/v1/devices?kind=${kind}&status=online&limit=1`,
        );
        return total > 0;
      });
      const metric = numericMetrics[kind][0];
      await waitFor(`${kind} readings in InfluxDB`, async () => {
        const { points } = await getJson<{ points: { v: number | null }[] }>(
          `/api/v1/series?kind=${kind}&metric=${metric}&fn=count&every=1h`,
        );
        return points.some((p) => (p.v ?? 0) > 0);
      });
    }
    // Dusk comes within a minute of real time: the lamps switch on by themselves.
    expect(firstSummary.streetlight.off).toBeGreaterThan(firstSummary.streetlight.on);
    await waitFor(
      'the lamps to switch on at dusk',
      async () => {
        const { streetlight } = await getJson<{ streetlight: { total: number; on: number } }>(
          '/api/v1/summary',
        );
        return streetlight.on > streetlight.total / 2;
      },
      150_000,
    );
    // Devices and cloud read one clock: no reading was refused (e.g. as from the future).
    const health = await getJson<{ counters: Record<string, number> }>('/health');
    expect(health.counters.readings_accepted).toBeGreaterThan(0);
    for (const town of towns) {
      const { total: deadLetters } = await getJson<{ total: number }>('/api/v1/dead-letters?limit=1', town);
      expect(deadLetters, town).toBe(0);
    }

    const processes = descendants(started.npm);
    expect(processes.map((p) => p.name)).toEqual(expect.arrayContaining(['influxd']));
    expect(await stopNpm(started, 'SIGTERM', processes)).toBe(0);
  }, 300_000);

  it('stops on SIGINT to npm while influxd is starting, leaving no process; on a terminal it prints text, not JSON', async () => {
    const started = await npmStart({}, true);
    const influxd = await waitFor('influxd to be started', () =>
      descendants(started.npm).find((p) => p.name === 'influxd'),
    );
    const processes = descendants(started.npm);
    await stopNpm(started, 'SIGINT', processes);
    expect(isRunning(influxd.pid)).toBe(false);
    const text = started.lines.map(stripVTControlCharacters).filter((line) => line.trim());
    expect(
      text.some((line) => /INFO.*starting a local influxd/.test(line)),
      text.join('\n'),
    ).toBe(true);
    expect(
      text.some((line) => /INFO.*stopping the simulated city/.test(line)),
      text.join('\n'),
    ).toBe(true);
    expect(text.filter((line) => line.startsWith('{'))).toEqual([]);
  });

  it('stops on SIGTERM to npm while the cloud is starting, leaving no process', async () => {
    const started = await npmStart({});
    await waitFor('influxd to be ready', () =>
      started.lines.some((line) => line.includes('local influxd ready')),
    );
    const processes = descendants(started.npm);
    expect(processes.map((p) => p.name)).toEqual(expect.arrayContaining(['influxd']));
    expect(await stopNpm(started, 'SIGTERM', processes)).toBe(0);
    expect(started.lines.some((line) => line.includes('stopping the simulated city'))).toBe(true);
  });
});
