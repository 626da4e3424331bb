import { connectAsync, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import type { FleetFile } from '../shared/fleet.ts';
import type { DeviceKind } from '../shared/kinds/index.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { consoleDist } from '../test/browser/build.ts';
import { launchChromium } from '../test/browser/chromium.ts';
import type { PageGlobals } from '../test/browser/page-globals.ts';
import { firstSignIn } from '../test/browser/users.ts';
import { type ShippedBytes, shippedBytes } from './console-assets.ts';
import type { Platform } from './platform.ts';
import { metricsOf } from './readings.ts';
import { quantile, round } from './util.ts';

export interface ConsoleResult {
  devices: number;
  /** ms from navigating to /map until the map is idle with clusters drawn; the first run has a cold cache. */
  firstRenderMs: number[];
  /** ms from a pan or a zoom until the new viewport's clusters are fetched and the map is idle again. */
  pan: { p50Ms: number | null; maxMs: number | null; samples: number };
  zoom: { p50Ms: number | null; maxMs: number | null; samples: number };
  /** ms from publishing a reading that breaks a rule to its alert's row in the inbox. */
  alert: { rule: string; p50Ms: number | null; p99Ms: number | null; maxMs: number | null; samples: number };
  shipped: ShippedBytes;
}

/** A rule a single reading breaks: a `>` threshold on a number, no duration, no schedule. */
interface FaultRule {
  id: string;
  kind: DeviceKind;
  metric: string;
  value: number;
}

async function pickFaultRule(apiUrl: string, token: string, fleet: FleetFile): Promise<FaultRule> {
  const res = await fetch(`${apiUrl}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } });
  const { items } = (await res.json()) as { items: Record<string, unknown>[] };
  const kinds = new Set(fleet.devices.map((d) => d.kind));
  for (const r of items) {
    const c = r.condition as { type?: string; op?: string; metric?: string; value?: unknown };
    const kind = (r.target as { kind?: DeviceKind } | undefined)?.kind;
    if (r.enabled === false || r.for || r.schedule || !kind || !kinds.has(kind)) continue;
    if (c.type === 'threshold' && c.op === '>' && typeof c.value === 'number' && c.metric)
      return { id: String(r.id), kind: kind as DeviceKind, metric: c.metric, value: c.value };
  }
  throw new Error('no rule that one reading breaks (a > threshold without for or schedule)');
}

/** Resolves in the page once the map is idle with clusters or devices drawn: performance.now(). */
const mapDrawn = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const { document } = globalThis as unknown as PageGlobals;
        const timer = setTimeout(() => reject(new Error('no clusters drawn within 120 s')), 120_000);
        const check = () => {
          const map = document.querySelector('.map')?.cityMap;
          if (!map?.isStyleLoaded()) return void setTimeout(check, 5);
          const drawn = map.queryRenderedFeatures({ layers: ['clusters', 'devices'] }).length > 0;
          if (drawn && map.loaded()) {
            clearTimeout(timer);
            return resolve(performance.now());
          }
          map.once('idle', check);
        };
        check();
      }),
  );

/** ms from a pan or zoom until the page has set the new clusters and the map is idle again. */
const moveMs = (page: Page, move: 'pan' | 'in' | 'out') =>
  page.evaluate(
    (move) =>
      new Promise<number>((resolve, reject) => {
        const { document } = globalThis as unknown as PageGlobals;
        const map = document.querySelector('.map')?.cityMap;
        if (!map) return reject(new Error('the map page shows no map'));
        const timer = setTimeout(() => reject(new Error(`no clusters after a ${move} within 60 s`)), 60_000);
        const started = performance.now();
        // The page's setData on the devices source after its /map/clusters answer: 'content'.
        const onData = (e: { sourceId?: string; sourceDataType?: string }) => {
          if (e.sourceId !== 'devices' || e.sourceDataType !== 'content') return;
          map.off('sourcedata', onData);
          map.once('idle', () => {
            clearTimeout(timer);
            resolve(performance.now() - started);
          });
        };
        map.on('sourcedata', onData);
        if (move === 'pan') map.panBy([240, 140], { animate: false });
        else map.zoomTo(map.getZoom() + (move === 'in' ? 1 : -1), { animate: false });
      }),
    move,
  );

/**
 * The console's figures in headless Chromium against the bench cloud (`platform`, holding
 * `fleet`): the map's first render, pans and zooms; the delay from a faulty reading published over
 * MQTT to its alert in the inbox; the JavaScript and CSS shipped (gzip). The faults are sent by the
 * devices of `faultGateways`, which must have credentials on the platform.
 */
export async function consoleBench(options: {
  platform: Platform;
  fleet: FleetFile;
  token: string;
  faultGateways: string[];
  faults: number;
  renders: number;
  moves: number;
  say: (line: string) => void;
}): Promise<ConsoleResult> {
  const { platform, fleet, token, say } = options;
  const apiUrl = platform.apiUrl;
  const user = {
    username: 'bench-operator',
    first: 'first password of the bench',
    password: 'bench password 0123',
  };
  const created = await fetch(`${apiUrl}/api/v1/users`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: user.username, role: 'admin', password: user.first }),
  });
  if (created.status !== 201) throw new Error(`could not create the bench user: ${await created.text()}`);
  await firstSignIn(apiUrl, user.username, user.first, user.password);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: apiUrl });
    const signIn = await context.newPage();
    await signIn.goto('/');
    await signIn.locator('#username').fill(user.username);
    await signIn.locator('#password').fill(user.password);
    await signIn.locator('form button[type=submit]').click();
    await signIn.locator('header.top nav').waitFor({ timeout: 60_000 });
    await signIn.close();

    const firstRenderMs: number[] = [];
    const assetRequests: string[] = [];
    for (let i = 0; i < options.renders; i++) {
      const page = await context.newPage();
      if (i === 0) page.on('request', (r) => assetRequests.push(new URL(r.url()).pathname));
      await page.goto('/map');
      firstRenderMs.push(await mapDrawn(page));
      say(`(console) map first render ${i + 1}/${options.renders}: ${firstRenderMs.at(-1)?.toFixed(0)} ms`);
      if (i < options.renders - 1) await page.close();
    }
    const mapPage = context.pages().at(-1) as Page;
    const pans: number[] = [];
    const zooms: number[] = [];
    for (let i = 0; i < options.moves; i++) pans.push(await moveMs(mapPage, 'pan'));
    for (let i = 0; i < options.moves; i++)
      zooms.push(await moveMs(mapPage, i < options.moves / 2 ? 'in' : 'out'));
    say(
      `(console) ${pans.length} pans p50 ${quantile(pans, 0.5).toFixed(0)} ms, ${zooms.length} zooms p50 ${quantile(zooms, 0.5).toFixed(0)} ms`,
    );

    const rule = await pickFaultRule(apiUrl, token, fleet);
    const gateways = new Set(options.faultGateways);
    const targets = fleet.devices
      .filter((d) => gateways.has(d.gatewayId) && d.kind === rule.kind)
      .slice(0, options.faults);
    const inbox = await context.newPage();
    await inbox.goto('/alerts');
    await inbox.locator('[data-testid=alerts-table]').waitFor({ timeout: 60_000 });
    // Each device's first row in the table, with the time it appeared (Date.now(): one clock with Node's).
    await inbox.evaluate(() => {
      const { document, MutationObserver } = globalThis as unknown as PageGlobals;
      const seen: Record<string, number> = {};
      (globalThis as unknown as { seen: Record<string, number> }).seen = seen;
      const scan = () => {
        for (const a of document.querySelectorAll(
          '[data-testid=alerts-table] tbody tr td a[href^="/devices/"]',
        ))
          seen[a.textContent ?? ''] ??= Date.now();
      };
      new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
      scan();
    });
    const clients = new Map<string, MqttClient>();
    for (const id of new Set(targets.map((d) => d.gatewayId)))
      clients.set(
        id,
        await connectAsync(platform.mqttUrl, {
          clientId: id,
          username: id,
          password: platform.secrets.get(id),
          reconnectPeriod: 0,
        }),
      );
    const delays: number[] = [];
    try {
      for (const [i, device] of targets.entries()) {
        const ts = new Date().toISOString();
        const published = Date.now();
        await clients.get(device.gatewayId)?.publishAsync(
          gatewayTopic(device.gatewayId, 'telemetry'),
          JSON.stringify({
            v: 1,
            gatewayId: device.gatewayId,
            sentAt: ts,
            batchId: `console-${i}`,
            readings: [
              {
                deviceId: device.id,
                kind: device.kind,
                ts,
                metrics: { ...metricsOf(rule.kind, i), [rule.metric]: rule.value + 1 },
              },
            ],
          }),
          { qos: 1 },
        );
        const shown = await inbox.waitForFunction(
          (id) => (globalThis as unknown as { seen: Record<string, number> }).seen[id],
          device.id,
          { timeout: 60_000 },
        );
        delays.push(((await shown.jsonValue()) as number) - published);
      }
    } finally {
      for (const client of clients.values()) await client.endAsync(true);
    }
    say(
      `(console) ${delays.length} faults (rule ${rule.id}): reading to inbox p50 ${quantile(delays, 0.5)} ms, p99 ${quantile(delays, 0.99)} ms`,
    );
    const shipped = await shippedBytes(consoleDist, assetRequests);
    const stats = (v: number[]) => ({
      p50Ms: round(quantile(v, 0.5)),
      maxMs: round(Math.max(...v)),
      samples: v.length,
    });
    return {
      devices: fleet.devices.length,
      firstRenderMs: firstRenderMs.map((v) => round(v) as number),
      pan: stats(pans),
      zoom: stats(zooms),
      alert: {
        rule: rule.id,
        p50Ms: round(quantile(delays, 0.5)),
        p99Ms: round(quantile(delays, 0.99)),
        maxMs: round(Math.max(...delays)),
        samples: delays.length,
      },
      shipped,
    };
  } finally {
    await browser.close();
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

export function printConsole(r: ConsoleResult): void {
  const lines = [
    `Console (headless Chromium, software WebGL) with ${r.devices.toLocaleString('en-US')} devices`,
    `  map first render (to clusters drawn, idle): ${r.firstRenderMs.map((v) => `${v} ms`).join(', ')} (first: cold cache)`,
    `  pan: p50 ${r.pan.p50Ms} ms, max ${r.pan.maxMs} ms (${r.pan.samples}); zoom: p50 ${r.zoom.p50Ms} ms, max ${r.zoom.maxMs} ms (${r.zoom.samples})`,
    `  reading that breaks ${r.alert.rule} to the inbox row: p50 ${r.alert.p50Ms} ms, p99 ${r.alert.p99Ms} ms, max ${r.alert.maxMs} ms (${r.alert.samples})`,
    `  shipped (gzip): first load JS ${kb(r.shipped.firstLoad.js)}, CSS ${kb(r.shipped.firstLoad.css)}; the map page adds JS ${kb(r.shipped.mapPage.js)}, CSS ${kb(r.shipped.mapPage.css)}`,
  ];
  console.log(lines.join('\n'));
}
