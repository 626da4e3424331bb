import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Series } from '../../cloud/storage/influxql.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { EdgeAgent } from '../../edge/agent.ts';
import { gatewayOutbox } from '../../edge/compose.ts';
import { agentConfig } from '../../edge/config.ts';
import type { DeviceDriver } from '../../shared/driver.ts';
import type { DeviceEvent, DeviceKind, MetricValue } from '../../shared/kinds/index.ts';
import { simulatedDrivers } from '../../simulators/driver/simulated-driver.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { DelegatingDriver } from '../../simulators/recording-driver.ts';
import { getJson, silentLog, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  type Dashboard,
  expandQuery,
  interpolateVariable,
  loadDashboards,
  panelFrom,
  queryPanels,
  usedVariables,
  type Variable,
  variableQuery,
} from './grafana.ts';

/**
 * Grafana cannot run here, so this test does what Grafana would do with the provisioned dashboards:
 * it takes every panel's InfluxQL, expands the template variables and macros, and runs it against a
 * real influxd filled by a simulated city (edge agents -> MQTT -> cloud -> journal -> InfluxDB).
 */

const provisioning = join(import.meta.dirname, '../../provisioning/grafana');
const fleet = generateFleet({ seed: 31, devices: 60, devicesPerGateway: 20 });
const stepMs = 5 * 60_000;
const steps = 72; // six hours of simulated time, ending now
const startedAt = Date.now() - steps * stepMs;
let simulatedNow = startedAt;
/** Grafana's `$__interval` for this datasource's minimum interval (timeInterval: 10s). */
const interval = { text: '10s', ms: 10_000 };

let influxd: LocalInfluxd;
let city: TestCloud;
let edgeDir: Awaited<ReturnType<typeof tempDir>>;
const agents: EdgeAgent[] = [];
/** Devices with a scripted incident: the ones a technician drills down to. */
const incidentDevices: string[] = [];

// ---------------------------------------------------------------------------------------------
// Incidents. The simulator's rates are realistic (a bin fire every 50,000 hours, a lamp fault every
// 2,000 burning hours), so a few hours of a small city would leave the fault panels empty. These
// incidents are scripted into the drivers: their events and readings still travel through the edge
// agent, MQTT, the cloud's validation and journal into InfluxDB like any other.

type IncidentEvent = { type: string; values?: Record<string, number | string> };

interface Incident {
  deviceId: string;
  at: number;
  until?: number;
  start: IncidentEvent[];
  end?: IncidentEvent[];
  /** Changes the device's readings while the incident lasts. */
  patch?(metrics: Record<string, MetricValue>, ts: string): void;
  started?: boolean;
  ended?: boolean;
}

class IncidentDriver extends DelegatingDriver {
  private readonly incidents: Incident[];
  constructor(inner: DeviceDriver, incidents: Incident[]) {
    super(inner);
    this.incidents = incidents.filter((i) => inner.has(i.deviceId));
  }
  override async poll(now: Date) {
    const { readings, events } = await this.inner.poll(now);
    const t = now.getTime();
    const ts = now.toISOString();
    const event = (deviceId: string, e: IncidentEvent) =>
      ({ deviceId, kind: this.kind, ts, ...e }) as DeviceEvent;
    for (const incident of this.incidents) {
      if (t < incident.at) continue;
      const active = incident.until === undefined || t < incident.until;
      if (!incident.started) {
        incident.started = true;
        events.push(...incident.start.map((e) => event(incident.deviceId, e)));
      }
      const reading = readings.find((r) => r.deviceId === incident.deviceId);
      if (active && reading) incident.patch?.(reading.metrics as Record<string, MetricValue>, ts);
      if (!active && !incident.ended) {
        incident.ended = true;
        events.push(...(incident.end ?? []).map((e) => event(incident.deviceId, e)));
      }
    }
    return { readings, events };
  }
}

function incidents(): Incident[] {
  const of = (kind: DeviceKind) => fleet.devices.filter((d) => d.kind === kind);
  const [lamp] = of('streetlight');
  const [burningBin, emptiedBin] = of('wasteBin');
  const [downCamera, tamperedCamera] = of('camera');
  const [charger] = of('evCharger');
  if (!lamp || !burningBin || !emptiedBin || !downCamera || !tamperedCamera || !charger) {
    throw new Error('the fleet needs a lamp, two bins, two cameras and a charger');
  }
  const step = (n: number) => startedAt + n * stepMs;
  let fillAtEmptying: number | undefined;
  let emptiedAt = '';
  return [
    {
      deviceId: lamp.id,
      at: step(55),
      start: [{ type: 'lampFault' }],
      patch: (m) => {
        m.status = 'defectiveLamp';
        m.activePower = 0.5;
      },
    },
    {
      deviceId: burningBin.id,
      at: step(40),
      until: step(52),
      start: [{ type: 'fireRisk', values: { heatAboveAmbient: 95 } }],
      patch: (m) => {
        m.status = 'burning';
        m.temperature = Math.round(((m.temperature as number) + 95) * 10) / 10;
      },
    },
    {
      deviceId: emptiedBin.id,
      at: step(20),
      start: [{ type: 'emptied' }],
      patch: (m, ts) => {
        fillAtEmptying ??= m.fillingLevel as number;
        emptiedAt ||= ts;
        m.fillingLevel = Math.round(Math.max(0, (m.fillingLevel as number) - fillAtEmptying) * 10) / 10;
        m.dateLastEmptying = emptiedAt;
      },
    },
    {
      deviceId: downCamera.id,
      at: step(30),
      until: step(34),
      start: [{ type: 'streamDown' }],
      end: [{ type: 'streamUp' }],
      patch: (m) => {
        Object.assign(m, { streamStatus: 'offline', peopleCount: 0, vehicleCount: 0, uplinkBitrate: 0 });
      },
    },
    {
      deviceId: charger.id,
      at: step(10),
      until: step(30),
      start: [{ type: 'sessionStarted' }],
      end: [{ type: 'sessionEnded', values: { sessionEnergy: 20.5, sessionDuration: 6_000 } }],
      patch: (m) => {
        Object.assign(m, { connectorStatus: 'Charging', activePower: 11, sessionEnergy: 10 });
      },
    },
    {
      deviceId: charger.id,
      at: step(50),
      start: [{ type: 'fault', values: { errorCode: 'GroundFailure' } }],
      patch: (m) => {
        Object.assign(m, { connectorStatus: 'Faulted', errorCode: 'GroundFailure', activePower: 0 });
      },
    },
    {
      deviceId: tamperedCamera.id,
      at: step(66),
      start: [{ type: 'tamper' }],
      patch: (m) => {
        Object.assign(m, { tamperDetected: true, peopleCount: 0, vehicleCount: 0 });
      },
    },
  ];
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  influxd = await startTestInfluxd();
  // The cloud's snapshots for Grafana every second or two instead of every 60 s (device_status) and
  // 10 s (platform_stats), so that the dashboards' 10 s buckets fill within seconds.
  city = await startTestCloud(influxd.url, fleet, { STATUS_SNAPSHOT_S: '1', PLATFORM_STATS_S: '2' });
  edgeDir = await tempDir('grafana-edge');
  const random = createRandom(31);
  const scripted = incidents();
  incidentDevices.push(...scripted.map((i) => i.deviceId));
  let polls = 0;
  for (const [index, gateway] of fleet.gateways.entries()) {
    const devices = fleet.devices.filter((d) => d.gatewayId === gateway.id);
    const drivers = simulatedDrivers(devices, fleet.city, random.fork(gateway.id)).map(
      (d) => new IncidentDriver(d, scripted),
    );
    const config = agentConfig.parse({
      gatewayId: gateway.id,
      mqtt: { url: city.mqttUrl, password: await city.provision(gateway.id) },
      dataDir: edgeDir.path,
      // Heartbeats are stamped with the cloud's clock: every second, so that "reported in the
      // last 2 minutes" has data while the simulated hours pass in a few seconds.
      heartbeatIntervalS: 1,
      batch: { maxReadings: 100, maxInFlight: 8 },
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const agent = new EdgeAgent({
      config,
      drivers,
      outbox: gatewayOutbox(config),
      log: silentLog,
      now: () => new Date(simulatedNow),
      random: () => random.next(),
      // Now and then the first gateway sends garbage, for the dead-letter panels.
      malformed:
        index === 0
          ? () =>
              polls++ % 10 === 0 ? Buffer.from(`{"v":1,"gatewayId":"${gateway.id}","readings":[`) : undefined
          : undefined,
    });
    await agent.start({ poll: false });
    agents.push(agent);
  }
  for (let step = 0; step < steps; step++) {
    simulatedNow += stepMs;
    await Promise.all(agents.map((a) => a.pollOnce()));
  }
  await Promise.all(agents.map((a) => a.drained()));
  await waitFor(
    'heartbeats, device_status and platform_stats in InfluxDB',
    async () => {
      await city.cloud.flush();
      const [heartbeats = [], status = [], stats = []] = await city.influx.query(
        [
          'SELECT count("uptime") FROM "gateway_health" GROUP BY "gateway"',
          'SELECT count("online") FROM "device_status" WHERE time > now() - 1m GROUP BY "device"',
          // Rates are derivatives between 10 s buckets: a few of them are needed.
          'SELECT count("readings_accepted") FROM "platform_stats" WHERE time > now() - 5m GROUP BY time(10s) fill(none)',
        ].join('; '),
      );
      return (
        heartbeats.length === fleet.gateways.length &&
        heartbeats.every((s) => Number(s.values[0]?.[1]) >= 2) &&
        status.length === fleet.devices.length &&
        (stats[0]?.values.length ?? 0) >= 3
      );
    },
    60_000,
  );
  await city.cloud.flush();
}, 120_000);

afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  await city?.stop();
  await influxd?.stop();
  await edgeDir?.remove();
});

// ---------------------------------------------------------------------------------------------

const datasourceYaml = readFileSync(join(provisioning, 'datasources/influxdb.yaml'), 'utf8');
/** `${NAME}`: Grafana expands it from its environment when it reads the provisioning. */
const env = (name: string) => `\${${name}}`;

/** Runs InfluxQL the way the provisioned datasource makes Grafana run it: POST /query with its header. */
async function grafanaQuery(influxql: string): Promise<Series[]> {
  const header = /httpHeaderValue1:\s*(.+)/.exec(datasourceYaml)?.[1]?.trim() ?? '';
  const res = await fetch(`${influxd.url}/query`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      // INFLUX_TOKEN is empty for this InfluxDB 1.x without authentication.
      authorization: header.replace(env('INFLUX_TOKEN'), ''),
    },
    body: new URLSearchParams({ db: city.influx.settings.database, q: influxql, epoch: 'ms' }),
  });
  const body = (await res.json()) as { error?: string; results?: { error?: string; series?: Series[] }[] };
  if (!res.ok || body.error) throw new Error(`${res.status} ${body.error ?? ''} (query: ${influxql})`);
  return (body.results ?? []).flatMap((r) => {
    if (r.error) throw new Error(`${r.error} (query: ${influxql})`);
    return r.series ?? [];
  });
}

function hasValue(series: Series[]): boolean {
  return series.some((s) =>
    s.values.some((row) => row.some((value, i) => s.columns[i] !== 'time' && value !== null)),
  );
}

const dashboards = loadDashboards();
const expectedFiles = [
  'camera.json',
  'city-overview.json',
  'evCharger.json',
  'gateways.json',
  'platform.json',
  'streetlight.json',
  'wasteBin.json',
];
/** Variables each dashboard must offer (device dashboards drill down by district and device). */
const requiredVariables: Record<string, string[]> = {
  'city-overview.json': ['district', 'device'],
  'streetlight.json': ['district', 'device'],
  'wasteBin.json': ['district', 'device'],
  'camera.json': ['district', 'device'],
  'evCharger.json': ['district', 'device'],
  'gateways.json': ['district', 'gateway'],
  'platform.json': [],
};

/** Values of a dashboard's query variables, each resolved after those it depends on. */
async function variableValues(dashboard: Dashboard, selection: 'all' | 'some') {
  const interpolated: Record<string, string> = {};
  const values: Record<string, string[]> = {};
  for (const variable of dashboard.templating.list) {
    const query = expandQuery(variableQuery(variable), {
      from: Date.now() - 86_400_000,
      to: Date.now(),
      interval: interval.text,
      intervalMs: interval.ms,
      variables: interpolated,
    });
    const rows = (await grafanaQuery(query)).flatMap((s) => s.values.map((v) => String(v[1])));
    values[variable.name] = [...new Set(rows)].sort();
    const found = values[variable.name] as string[];
    // "some": every district/gateway as a multi-value selection, and a single device, one with an
    // incident (a technician's drill-down; a device without events has no rows in the event panels).
    const device = found.find((d) => incidentDevices.includes(d)) ?? found[0];
    const pick = variable.name === 'device' ? [device as string] : found;
    interpolated[variable.name] = interpolateVariable(variable, selection === 'all' ? 'all' : pick);
  }
  return { values, interpolated };
}

describe('Grafana provisioning', () => {
  it('provisions an InfluxQL datasource for InfluxDB 1.x and 2.x and a file provider for the dashboards', () => {
    for (const line of [
      'uid: city-influx',
      'type: influxdb',
      `url: ${env('INFLUX_URL')}`,
      `dbName: ${env('INFLUX_DATABASE')}`,
      'version: InfluxQL',
      'httpHeaderName1: Authorization',
      `httpHeaderValue1: Token ${env('INFLUX_TOKEN')}`,
    ]) {
      expect(datasourceYaml).toContain(line);
    }
    const provider = readFileSync(join(provisioning, 'dashboards/dashboards.yaml'), 'utf8');
    expect(provider).toContain('type: file');
    expect(provider).toContain('path: /etc/grafana/provisioning/dashboards/json');
    expect(provider).toContain('path: /etc/grafana/kinds');
  });

  it('has the seven dashboards, each with a unique uid, a title, its variables and only city-influx queries', () => {
    expect(dashboards.map((d) => d.file)).toEqual(expectedFiles);
    expect(new Set(dashboards.map((d) => d.dashboard.uid)).size).toBe(dashboards.length);
    for (const { file, dashboard } of dashboards) {
      expect(dashboard.title, file).toMatch(/\S/);
      expect(dashboard.uid, file).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.schemaVersion, file).toBeGreaterThanOrEqual(36);
      expect(Array.isArray(dashboard.templating?.list), file).toBe(true);
      const names = dashboard.templating.list.map((v: Variable) => v.name);
      expect(names, file).toEqual(expect.arrayContaining(requiredVariables[file] ?? []));
      for (const variable of dashboard.templating.list) {
        expect(variable.datasource?.uid, `${file} $${variable.name}`).toBe('city-influx');
        expect(variableQuery(variable), `${file} $${variable.name}`).toMatch(/^SHOW TAG VALUES /);
        if (variable.includeAll) expect(variable.allValue, `${file} $${variable.name}`).toBe('.*');
      }
      const panels = queryPanels(dashboard.panels);
      expect(new Set(panels.map((p) => p.id)).size, `${file}: panel ids unique`).toBe(panels.length);
      for (const panel of panels) {
        const where = `${file} / ${panel.title}`;
        expect(panel.datasource?.uid, where).toBe('city-influx');
        expect(panel.targets?.length, where).toBeGreaterThan(0);
        for (const target of panel.targets ?? []) {
          expect(target, where).toMatchObject({ rawQuery: true, datasource: { uid: 'city-influx' } });
          expect(['time_series', 'table'], where).toContain(target.resultFormat);
          expect(target.query, where).toMatch(/^SELECT /);
          for (const name of usedVariables(target.query ?? '')) {
            expect(names, `${where} uses $${name}`).toContain(name);
          }
        }
      }
    }
  });

  it('the device dashboards filter every device query by district', () => {
    for (const { file, dashboard } of dashboards) {
      if ((requiredVariables[file] ?? []).length === 0) continue;
      for (const panel of queryPanels(dashboard.panels)) {
        for (const target of panel.targets ?? []) {
          const query = target.query ?? '';
          if (/FROM "(streetlight|wasteBin|camera|evCharger|device_event|device_status)"/.test(query)) {
            expect(query, `${file} / ${panel.title}`).toContain('"district" =~ /^$district$/');
          }
        }
      }
    }
  });

  it('shows the same key figures as the REST API fleet summary', async () => {
    const { status, body } = await getJson<{
      streetlight: { on: number; off: number; faulty: number };
      wasteBin: { aboveThreshold: number };
      camera: { streaming: number };
      gateways: { online: number };
    }>(`${city.apiUrl}/api/v1/summary`);
    expect(status).toBe(200);
    // The scripted lamp fault is still open at the end of the run.
    expect(body.streetlight.faulty).toBeGreaterThanOrEqual(1);
    const overview = dashboards.find((d) => d.file === 'city-overview.json')?.dashboard as Dashboard;
    const { interpolated } = await variableValues(overview, 'all');
    const figure = async (title: string) => {
      const panel = queryPanels(overview.panels).find((p) => p.title === title);
      const now = Date.now();
      const query = expandQuery(panel?.targets?.[0]?.query ?? '', {
        from: now - 86_400_000,
        to: now,
        interval: interval.text,
        intervalMs: interval.ms,
        variables: interpolated,
      });
      const [series] = await grafanaQuery(query);
      return Number(series?.values.at(-1)?.[1]);
    };
    expect({
      lampsOn: await figure('Lamps on'),
      lampsOff: await figure('Lamps off'),
      faultyLamps: await figure('Faulty lamps'),
      binsFull: await figure('Bins ≥ 80 %'),
      camerasOnline: await figure('Cameras online'),
      gateways: await figure('Gateways reporting'),
    }).toEqual({
      lampsOn: body.streetlight.on,
      lampsOff: body.streetlight.off,
      faultyLamps: body.streetlight.faulty,
      binsFull: body.wasteBin.aboveThreshold,
      camerasOnline: body.camera.streaming,
      gateways: body.gateways.online,
    });
  });

  for (const selection of ['all', 'some'] as const) {
    it(`every panel query parses and returns data in the simulated city (variables: ${selection === 'all' ? 'All' : 'every district, one device'})`, async () => {
      let panelCount = 0;
      let targetCount = 0;
      let queriesRun = 0;
      const failures: string[] = [];
      const perDashboard: Record<string, number> = {};
      for (const { file, dashboard } of dashboards) {
        const { values, interpolated } = await variableValues(dashboard, selection);
        for (const name of Object.keys(values)) {
          expect(values[name]?.length, `${file}: values of $${name}`).toBeGreaterThan(0);
        }
        const panels = queryPanels(dashboard.panels);
        perDashboard[file] = panels.length;
        panelCount += panels.length;
        for (const panel of panels) {
          for (const target of panel.targets ?? []) {
            targetCount++;
            const now = new Date();
            const query = expandQuery(target.query ?? '', {
              from: panelFrom(panel.timeFrom, now) ?? now.getTime() - 86_400_000,
              to: now.getTime(),
              interval: interval.text,
              intervalMs: interval.ms,
              variables: interpolated,
            });
            queriesRun++;
            try {
              const series = await grafanaQuery(query);
              if (!hasValue(series)) {
                failures.push(`${file} / ${panel.title} / ${target.refId}: no data\n  ${query}`);
              }
            } catch (error) {
              failures.push(`${file} / ${panel.title} / ${target.refId}: ${(error as Error).message}`);
            }
          }
        }
      }
      expect(failures).toEqual([]);
      expect(queriesRun).toBe(targetCount);
      expect(targetCount).toBeGreaterThanOrEqual(panelCount);
      expect(perDashboard).toEqual(expectedPanelCounts);
    });
  }
});

/** Panels (rows excluded, nested panels included) per dashboard: a panel added or lost shows here. */
const expectedPanelCounts: Record<string, number> = {
  'camera.json': 21,
  'city-overview.json': 15,
  'evCharger.json': 17,
  'gateways.json': 14,
  'platform.json': 12,
  'streetlight.json': 22,
  'wasteBin.json': 17,
};
