import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import type { InfluxCall } from '../helpers/influx-recorder.ts';
import { asRegion, karlovyVary, loket } from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';
import { firstSignIn, regionAccount, type SignedIn } from './accounts.ts';
import { type Caller, type Exchange, leaks, send } from './callers.ts';
import { consoleOperations, readConsoleApi } from './console-calls.ts';
import {
  documentedOperations,
  fillPath,
  type Operation,
  type Probe,
  probes,
  type TownIds,
} from './operations.ts';
import { type Region, startRegion } from './region.ts';
import { probeGateway, type SeededTown, seedTown } from './seed.ts';
import { type Snapshot, tenantSnapshot } from './snapshot.ts';

/**
 * The cross-tenant suite over REST: every operation of the OpenAPI document, sent by tenant A's
 * accounts (its admin's API token and its admin signed in, then both naming B with X-Tenant and
 * ?tenant=) with tenant B's real ids, by a region reader granted A only, and by that reader trying
 * changes in A. Nothing of B may be in any answer, and B must answer region staff the same after it.
 */
let region: Region;
let a: SeededTown;
let b: SeededTown;
let reader: SignedIn;
let bBefore: Snapshot;
/** Every operation the sweeps sent, and the InfluxDB requests the cloud made during A's. */
const exercised = new Set<string>();
let influxDuringSweep: InfluxCall[] = [];

beforeAll(async () => {
  region = await startRegion([karlovyVary, loket], {
    credentials: { [probeGateway('kv')]: karlovyVary.id, [probeGateway('lo')]: loket.id },
  });
  // B keeps more dead letters than A: B's newest letter's number is one A has none of.
  [a, b, reader] = await Promise.all([
    seedTown(region, karlovyVary, 'kv'),
    seedTown(region, loket, 'lo', 2),
    regionAccount(region.cloud.apiUrl, 'dispatch-of-kv', 'reader', [karlovyVary.id]),
  ]);
  // The map states follow readings at the next sweep (DEVICE_STATE_SWEEP_S): the snapshot waits for
  // them, so that a later one differs only by what the sweeps of A did.
  await waitFor("B's map states to follow its readings", async () => {
    const res = await asRegion(region.cloud.apiUrl, loket.id, '/api/v1/devices?limit=1000');
    const { items } = (await res.json()) as { items: { status: string; state: string }[] };
    return items.every((d) => d.status !== 'online' || d.state !== 'offline') ? true : undefined;
  });
  bBefore = await tenantSnapshot(region.cloud.apiUrl, loket.id);
}, 120_000);

afterAll(async () => {
  await region?.stop();
});

/** How a request names a tenant: not at all (the caller's own), with X-Tenant, or with ?tenant=. */
type Variant = 'plain' | 'header' | 'query';

/**
 * What A's admin gets: as classified for its token or its session; naming B, 404 from a tenant
 * operation (A's accounts see no other tenant) and otherwise as without (the platform routes read
 * neither X-Tenant nor ?tenant=, unless the probe says otherwise).
 */
function expectedOfA(probe: Probe, session: boolean, variant: Variant): number {
  const plain = session ? (probe.session ?? probe.token) : probe.token;
  if (variant === 'plain') return plain;
  const named = variant === 'header' ? probe.header : probe.query;
  return named ?? (probe.scope === 'tenant' ? 404 : plain);
}

/** What the region reader granted A only gets naming B: as a signed-in account, or `reader` where that differs. */
function expectedOfReader(probe: Probe, variant: Variant): number {
  const named = probe.reader ?? (probe.scope === 'tenant' ? 404 : (probe.session ?? probe.token));
  return variant === 'query' && probe.scope !== 'tenant' ? (probe.query ?? named) : named;
}

/** The requests of one probe: its path filled with `ids`, once per query string it is sent with. */
function urlsOf(operation: Operation, probe: Probe, ids: TownIds): string[] {
  const path = fillPath(operation.path, ids);
  return (probe.queries?.(ids) ?? ['']).map((q) => (q ? `${path}?${q}` : path));
}

const withTenant = (url: string, tenant: string) =>
  `${url}${url.includes('?') ? '&' : '?'}tenant=${encodeURIComponent(tenant)}`;

/** Undoes what a probe changed in A or in the caller's session (see Probe.undo). */
async function undo(probe: Probe, caller: Caller, exchange: Exchange) {
  if (probe.undo === 'rule' && exchange.status < 300) {
    const removed = await asRegion(region.cloud.apiUrl, a.ids.tenant, `/api/v1/rules/${b.ids.rule}`, {
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
  }
  if (probe.undo === 'session' && 'account' in caller) await caller.account.renew();
}

function classified(operation: Operation): Probe {
  const probe = probes[operation.key];
  if (!probe) throw new Error(`${operation.key} is not classified in test/isolation/operations.ts`);
  return probe;
}

interface Sweep {
  callers: Caller[];
  variants: Variant[];
  /** Whose ids fill the paths and bodies; X-Tenant and ?tenant= name its tenant. */
  ids: TownIds;
  /** The status expected, or `skip` for a probe this sweep leaves out. */
  expected(probe: Probe, caller: Caller, variant: Variant, operation: Operation): number | 'skip';
}

/**
 * Sends every classified operation as each caller, in each variant, and returns what went wrong: an
 * answer other than the expected one, or one that shows any of B's markers the request did not name
 * itself (or, where the answer shows the caller's own records, that the sweep did not name before).
 */
async function sweep(plan: Sweep): Promise<string[]> {
  const failures: string[] = [];
  let typed = '';
  for (const operation of documentedOperations()) {
    const probe = classified(operation);
    for (const url of urlsOf(operation, probe, plan.ids))
      for (const caller of plan.callers)
        for (const variant of plan.variants) {
          const expected = plan.expected(probe, caller, variant, operation);
          if (expected === 'skip') continue;
          const exchange = await send(
            region.cloud.apiUrl,
            caller,
            operation.method,
            variant === 'query' ? withTenant(url, plan.ids.tenant) : url,
            {
              body: probe.body?.(plan.ids, new Date()),
              headers: variant === 'header' ? { 'x-tenant': plan.ids.tenant } : {},
              stream: probe.stream,
            },
          );
          exercised.add(operation.key);
          const what = `${caller.name}, ${variant}: ${exchange.request.split('\n')[0]}`;
          if (exchange.status !== expected)
            failures.push(
              `${what} answered ${exchange.status}, expected ${expected} (${probe.why}): ${exchange.text.slice(0, 200)}`,
            );
          const found = leaks(
            exchange.text,
            b.markers,
            probe.echoesEarlierRequests ? typed + exchange.request : exchange.request,
          );
          if (found.length > 0) failures.push(`${what} shows B's ${found.join(', ')}`);
          typed += `${exchange.request}\n`;
          await undo(probe, caller, exchange);
        }
  }
  return failures;
}

/** Fails with every probe that was answered otherwise than expected, or showed B's markers. */
function report(failures: string[]) {
  expect(failures, failures.join('\n')).toEqual([]);
}

describe('REST: tenant A against tenant B', () => {
  it('classifies every operation of the OpenAPI document, and only those', () => {
    const documented = documentedOperations().map((o) => o.key);
    expect(documented.filter((key) => !probes[key])).toEqual([]);
    expect(Object.keys(probes).filter((key) => !documented.includes(key))).toEqual([]);
  });

  it("answers A's admin token and signed-in admin, also naming B, with nothing of B", async () => {
    const token: Caller = { name: "A's admin token", token: a.admin.token.secret };
    const session: Caller = { name: "A's signed-in admin", account: a.admin.user };
    let failures: string[] = [];
    influxDuringSweep = await region.influx.during(async () => {
      failures = await sweep({
        callers: [token, session],
        variants: ['plain', 'header', 'query'],
        ids: b.ids,
        expected: (probe, caller, variant) => expectedOfA(probe, caller === session, variant),
      });
    });
    report(failures);
  });

  it('answers a region reader granted A only, naming B, with nothing of B', async () => {
    report(
      await sweep({
        callers: [{ name: 'the region reader of A', account: reader }],
        variants: ['header', 'query'],
        ids: b.ids,
        expected: (probe, _caller, variant) => expectedOfReader(probe, variant),
      }),
    );
  });

  it('refuses the region reader every change in A, and A stays as it was', async () => {
    const aBefore = await tenantSnapshot(region.cloud.apiUrl, a.ids.tenant);
    report(
      await sweep({
        callers: [{ name: 'the region reader of A', account: reader }],
        variants: ['header'],
        ids: a.ids,
        expected: (probe, _caller, _variant, operation) =>
          operation.method === 'GET' || probe.readerOnA === 'exempt' ? 'skip' : (probe.readerOnA ?? 403),
      }),
    );
    expect(await tenantSnapshot(region.cloud.apiUrl, a.ids.tenant)).toEqual(aBefore);
  });

  it('leaves B as it was: every list and every item region staff read of it', async () => {
    const after = await tenantSnapshot(region.cloud.apiUrl, loket.id);
    expect(Object.keys(after).sort()).toEqual(Object.keys(bBefore).sort());
    for (const [path, answer] of Object.entries(bBefore)) expect(after[path], path).toEqual(answer);
  });

  it("lets A's admin give its accounts and tokens no grant of B", async () => {
    const admin: Caller = { name: "A's signed-in admin", account: a.admin.user };
    const made = await send(region.cloud.apiUrl, admin, 'POST', '/api/v1/users', {
      body: {
        username: 'kv-would-be-regional',
        role: 'admin',
        password: 'kv-first-password',
        grants: [b.ids.tenant],
      },
    });
    expect(made.status).toBe(201);
    expect(JSON.parse(made.text)).toMatchObject({ tenant: a.ids.tenant, grants: [] });
    const changed = await send(region.cloud.apiUrl, admin, 'PATCH', '/api/v1/users/kv-would-be-regional', {
      body: { grants: [b.ids.tenant] },
    });
    expect(JSON.parse(changed.text)).toMatchObject({ tenant: a.ids.tenant, grants: [] });
    const token = await send(region.cloud.apiUrl, admin, 'POST', '/api/v1/tokens', {
      body: { name: 'would be regional', role: 'admin', grants: [b.ids.tenant] },
    });
    expect(token.status).toBe(400);
    const user = await firstSignIn(
      region.cloud.apiUrl,
      'kv-would-be-regional',
      'kv-first-password',
      'kv-second-password',
    );
    const into = await send(
      region.cloud.apiUrl,
      { name: 'the new user', account: user },
      'GET',
      '/api/v1/devices',
      {
        headers: { 'x-tenant': b.ids.tenant },
      },
    );
    expect(into.status).toBe(404);
  });

  it("shows A's audit log only A's own accounts at work", async () => {
    const res = await asRegion(region.cloud.apiUrl, a.ids.tenant, '/api/v1/audit?limit=1000');
    const { items } = (await res.json()) as { items: { actor: string }[] };
    const actors = new Set(items.map((entry) => entry.actor));
    expect([...actors].sort()).toEqual(
      [a.admin.token.name, a.admin.user.username, 'kv-would-be-regional', 'bootstrap-admin'].sort(),
    );
  });

  it("counts only A's own in A's metrics", async () => {
    const metrics = await send(
      region.cloud.apiUrl,
      { name: "A's admin token", token: a.admin.token.secret },
      'GET',
      '/metrics',
    );
    expect(metrics.status).toBe(200);
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics.text)?.[1]);
    expect(value('city_devices_registered')).toBe(karlovyVary.fleet.devices.length);
    const own = (path: string) => asRegion(region.cloud.apiUrl, a.ids.tenant, path).then((r) => r.json());
    const openAlerts = (await own('/api/v1/alerts?state=open&limit=1')) as { total: number };
    expect(value('city_alerts_open')).toBe(openAlerts.total);
  });

  it('exercised every operation any console page calls', async () => {
    const pages = await consoleOperations(await readConsoleApi());
    const missing = [...pages].flatMap(([file, operations]) =>
      [...operations].filter((o) => !exercised.has(o)).map((o) => `${file}: ${o}`),
    );
    expect(missing).toEqual([]);
    expect(pages.size).toBeGreaterThan(10);
  });
});

describe("InfluxDB: each town's readings in its own database", () => {
  const database = (tenant: string) => tenantDatabase(region.cloud.influx.settings.database, tenant);

  it("keeps B's readings in B's database only", async () => {
    const devices = async (tenant: string) => {
      const series = await region.cloud.influx
        .withDatabase(database(tenant))
        .select('SHOW TAG VALUES WITH KEY = "device"');
      return new Set(series.flatMap((s) => s.values.map((row) => String(row[1]))));
    };
    const inA = await devices(a.ids.tenant);
    const inB = await devices(b.ids.tenant);
    expect(inB.size).toBeGreaterThan(0);
    expect([...inB].filter((id) => !loket.fleet.devices.some((d) => d.id === id))).toEqual([]);
    expect([...inA].filter((id) => !karlovyVary.fleet.devices.some((d) => d.id === id))).toEqual([]);
  });

  it("never reads B's database for A: not during the sweep, not for A's series, summary, events or dry run", async () => {
    const ofB = (calls: InfluxCall[]) =>
      calls.filter((c) => c.path === '/query' && c.db === database(b.ids.tenant));
    expect(influxDuringSweep.filter((c) => c.path === '/query').length).toBeGreaterThan(0);
    expect(ofB(influxDuringSweep)).toEqual([]);
    const caller: Caller = { name: "A's admin token", token: a.admin.token.secret };
    const lamp = a.lamp;
    const asks: [string, string, unknown?][] = [
      [
        'GET',
        `/api/v1/devices/${lamp}/series?metric=voltage&every=1h&from=${new Date(Date.now() - 6 * 3_600_000).toISOString()}`,
      ],
      ['GET', '/api/v1/series?kind=streetlight&metric=voltage&every=1h'],
      ['GET', '/api/v1/summary?binThreshold=81'],
      ['GET', `/api/v1/devices/${lamp}/events`],
      [
        'POST',
        '/api/v1/rules/dry-run',
        {
          hours: 24,
          rule: {
            id: 'what-if',
            name: 'What if',
            severity: 'info',
            target: { kind: 'streetlight' },
            condition: { type: 'threshold', metric: 'voltage', op: '>', value: 1 },
          },
        },
      ],
    ];
    for (const [method, url, body] of asks) {
      let exchange: Exchange | undefined;
      const calls = await region.influx.during(async () => {
        exchange = await send(region.cloud.apiUrl, caller, method, url, { body });
      });
      expect(exchange?.status, url).toBe(200);
      const queries = calls.filter((c) => c.path === '/query');
      expect(queries.length, url).toBeGreaterThan(0);
      expect(
        queries.map((c) => c.db),
        url,
      ).toEqual(queries.map(() => database(a.ids.tenant)));
      expect(leaks(exchange?.text ?? '', b.markers, ''), url).toEqual([]);
    }
  });
});

describe('the live stream', () => {
  it("carries A's events to A and none of B's", async () => {
    const res = await fetch(`${region.cloud.apiUrl}/api/v1/events`, {
      headers: { authorization: `Bearer ${a.admin.token.secret}` },
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const command = (town: SeededTown) =>
      asRegion(region.cloud.apiUrl, town.ids.tenant, `/api/v1/devices/${town.lamp}/commands`, {
        method: 'POST',
        body: JSON.stringify({ command: { action: 'setDimming', level: 70 } }),
      }).then(async (r) => ((await r.json()) as { id: string }).id);
    // B's first: were it on A's stream, it would come before A's own.
    const ofB = await command(b);
    const ofA = await command(a);
    let text = '';
    while (!text.includes(ofA)) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(leaks(text, [...b.markers, ofB], '')).toEqual([]);
  });
});
