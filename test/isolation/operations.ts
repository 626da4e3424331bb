import { openApiDocument } from '../../cloud/api/openapi.ts';

/** The ids of one town's resources that a probe names in a path, a query or a body. */
export interface TownIds {
  tenant: string;
  device: string;
  gateway: string;
  alert: string;
  rule: string;
  command: string;
  deadLetter: number;
  user: string;
  token: string;
}

/**
 * Where an operation sits: `public` needs no account; `platform` is answered before the tenant
 * scope (X-Tenant and ?tenant= are not read there); `tenant` acts on one tenant's data, the caller's
 * own or the one a region account names.
 */
export type Scope = 'public' | 'platform' | 'tenant';

/** How one operation answers tenant A's accounts that name tenant B's resources, and why. */
export interface Probe {
  scope: Scope;
  why: string;
  /** A's admin with its API token, naming B's ids. */
  token: number;
  /** A's admin signed in (cookie and CSRF token), when it is not answered as the token is. */
  session?: number;
  /**
   * With `X-Tenant: <B>` or `?tenant=<B>` added. Default: 404 for a tenant operation (A's accounts
   * see no other tenant), else as without (the platform routes do not read them).
   */
  header?: number;
  query?: number;
  /** A region reader granted A only, naming B (X-Tenant): default 404 for tenant operations, else as a session. */
  reader?: number;
  /**
   * The region reader acting on A with a method that changes something: default 403 (a reader
   * changes nothing); `exempt` for what acts on its own session only.
   */
  readerOnA?: number | 'exempt';
  /** The query strings it is sent with (one request each); default: none. */
  queries?: (b: TownIds) => string[];
  body?: (b: TownIds, now: Date) => unknown;
  /**
   * The answer shows the caller's own records of what it asked before (A's audit log names the ids
   * A's earlier probes sent): B's ids any earlier request of A named are not a leak there.
   */
  echoesEarlierRequests?: true;
  /** A Server-Sent Events stream: its first bytes are read, then it is closed. */
  stream?: true;
  /** What the test undoes after a probe that changed A: a rule A made under B's rule id, A's session ended. */
  undo?: 'rule' | 'session';
}

/** A rule A may write: it never fires, and it names B's devices and gateway (A cannot reach them). */
const probeRule = (b: TownIds) => ({
  id: b.rule,
  name: 'A probe rule',
  severity: 'info',
  target: { kind: 'streetlight', devices: [b.device], gateways: [b.gateway] },
  condition: { type: 'threshold', metric: 'voltage', op: '>', value: 100_000 },
  channels: ['log'],
});

const ownList = (why: string, queries?: Probe['queries']): Probe => ({
  scope: 'tenant',
  token: 200,
  why,
  queries,
});
const hidden = (why: string, body?: Probe['body'], queries?: Probe['queries']): Probe => ({
  scope: 'tenant',
  token: 404,
  why: `${why}: B's id is not in A's stores, answered as if it did not exist`,
  body,
  queries,
});
const regionStaff = (why: string, body?: Probe['body']): Probe => ({
  scope: 'platform',
  token: 403,
  why: `region staff only (${why}), refused before any lookup`,
  body,
});
const alertAction = (body: Probe['body']) => hidden("an action on B's alert", body);

/**
 * The public open-data API: what a tenant publishes is public by design, to anyone, token or not; B
 * publishes nothing in the seed, so every answer about B is the one 404 of "nothing published here".
 */
function publicOpenData(keys: string[]): Record<string, Probe> {
  return Object.fromEntries(
    keys.map((key) => [
      key,
      {
        scope: 'public',
        token: 404,
        why: "B publishes nothing: a tenant's open data is public, and B has none",
        queries: key.endsWith('/entities') ? () => ['type=CrowdFlowObserved'] : undefined,
      } satisfies Probe,
    ]),
  );
}

/**
 * Every operation of the OpenAPI document, classified. A new operation fails the suite until it is
 * added here with its answer and the reason for it.
 */
export const probes: Record<string, Probe> = {
  'GET /api/openapi.json': { scope: 'public', token: 200, why: 'the API description, the same for everyone' },
  'GET /metrics': {
    scope: 'platform',
    token: 200,
    reader: 403,
    why: "a tenant's account reads its own tenant's counts (checked below); the installation's are region staff's",
  },
  'GET /health/live': { scope: 'public', token: 200, why: 'liveness, nothing of a tenant' },
  'GET /health/ready': {
    scope: 'public',
    token: 200,
    why: 'readiness, nothing of a tenant while all is well',
  },
  'GET /health': { scope: 'public', token: 200, why: 'counts only: no tenant is named to anyone' },
  'GET /api/v1/tokens': ownList("A's own tokens"),
  'POST /api/v1/tokens': {
    scope: 'tenant',
    token: 201,
    why: 'A makes a token of its own (never one of B)',
    body: () => ({ name: 'probe token of A', role: 'viewer' }),
  },
  'DELETE /api/v1/tokens/{id}': hidden("revoking B's token"),
  'GET /api/v1/audit': { ...ownList("A's own audit log"), echoesEarlierRequests: true },
  'GET /api/v1/devices': ownList("A's own devices", (b) => ['', `gateway=${b.gateway}`, `q=${b.device}`]),
  'GET /api/v1/devices/{id}': hidden("B's device"),
  'GET /api/v1/gateways': ownList("A's own gateways"),
  'GET /api/v1/gateways/{id}': hidden("B's gateway"),
  'GET /api/v1/gateways/{id}/config': hidden("B's gateway configuration"),
  'PUT /api/v1/gateways/{id}/config': hidden("configuring B's gateway", () => ({ reportingIntervalS: 30 })),
  'POST /api/v1/devices/{id}/commands': hidden("a command to B's device", () => ({
    command: { action: 'setDimming', level: 5 },
    ttlS: 60,
  })),
  'GET /api/v1/commands': ownList("A's own commands", (b) => [
    '',
    `device=${b.device}`,
    `gateway=${b.gateway}`,
  ]),
  'POST /api/v1/commands': {
    scope: 'tenant',
    token: 422,
    why: "a group command aimed at B's gateway matches none of A's devices",
    body: (b) => ({
      target: { kind: 'streetlight', gateway: b.gateway },
      command: { action: 'setDimming', level: 5 },
    }),
  },
  'GET /api/v1/commands/{id}': hidden("B's command"),
  'GET /api/v1/dead-letters': ownList("A's own dead letters", (b) => ['', `gateway=${b.gateway}`]),
  'GET /api/v1/dead-letters/usage': ownList("A's own dead-letter usage"),
  'GET /api/v1/dead-letters/{id}/payload': hidden("B's captured payload"),
  'GET /api/v1/gateways/{id}/debug-capture': {
    scope: 'tenant',
    token: 200,
    why: "answered alike for every gateway id from A's own settings (refusals of a gateway land in its credential's tenant)",
  },
  'PUT /api/v1/gateways/{id}/debug-capture': {
    scope: 'tenant',
    token: 200,
    why: "A's own capture setting for that id: B's gateway's refusals never land in A, so it captures nothing of B",
    body: (_b, now) => ({ until: new Date(now.getTime() + 3_600_000).toISOString() }),
  },
  'DELETE /api/v1/gateways/{id}/debug-capture': {
    scope: 'tenant',
    token: 200,
    why: "ends A's own capture setting for that id; B's is its own",
  },
  'GET /api/v1/rules': ownList("A's own rules"),
  'POST /api/v1/rules': {
    scope: 'tenant',
    token: 201,
    why: "rule ids are per tenant: A gets a rule of its own under B's rule id, B's is untouched",
    body: probeRule,
    undo: 'rule',
  },
  'GET /api/v1/rules/export': ownList("A's own rules"),
  'POST /api/v1/rules/import': {
    scope: 'tenant',
    token: 200,
    why: "imports into A only, under ids of A's own",
    body: (b) => [probeRule(b)],
    undo: 'rule',
  },
  'POST /api/v1/rules/dry-run': {
    scope: 'tenant',
    token: 200,
    why: "replays A's own database, for A's own devices of the kind (B's named devices are not among them)",
    body: (b) => ({ rule: probeRule(b), hours: 24 }),
  },
  'GET /api/v1/rules/{id}': hidden("B's rule"),
  'PUT /api/v1/rules/{id}': {
    scope: 'tenant',
    token: 200,
    why: "rule ids are per tenant: writes A's own rule of that id, B's is untouched",
    body: probeRule,
    undo: 'rule',
  },
  'DELETE /api/v1/rules/{id}': hidden("deleting B's rule"),
  'GET /api/v1/alerts': ownList("A's own alerts", (b) => ['', `device=${b.device}`, `rule=${b.rule}`]),
  'GET /api/v1/alerts/{id}': hidden("B's alert"),
  'POST /api/v1/alerts/{id}/acknowledge': alertAction(() => ({ note: 'A was here' })),
  'POST /api/v1/alerts/{id}/assign': alertAction(() => ({ assignee: 'someone of A' })),
  'POST /api/v1/alerts/{id}/comments': alertAction(() => ({ text: 'A was here' })),
  'POST /api/v1/alerts/{id}/resolve': alertAction(() => ({ reason: 'A says so' })),
  'GET /api/v1/devices/{id}/series': hidden("B's device's readings", undefined, () => ['metric=activePower']),
  'GET /api/v1/series': ownList("A's own database, whatever district is named", () => [
    'kind=streetlight&metric=activePower',
    'kind=streetlight&metric=activePower&district=oost',
  ]),
  'GET /api/v1/summary': ownList("A's own fleet and database", () => ['', 'district=oost']),
  'GET /api/v1/waste/collection': ownList("A's own bins", () => ['', 'district=oost']),
  'GET /api/v1/devices/{id}/events': hidden("B's device's events"),
  'GET /api/v1/session': {
    scope: 'platform',
    token: 401,
    session: 200,
    why: "the caller's own session (a token has none)",
  },
  'POST /api/v1/session': {
    scope: 'public',
    token: 401,
    readerOnA: 'exempt',
    why: "signing in as B's user with a wrong password: the one answer every failed sign-in gets",
    body: (b) => ({ username: b.user, password: 'not the password of B' }),
  },
  'DELETE /api/v1/session': {
    scope: 'platform',
    token: 204,
    readerOnA: 'exempt',
    why: "ends the caller's own session, if any",
    undo: 'session',
  },
  'POST /api/v1/session/password': {
    scope: 'platform',
    token: 401,
    session: 403,
    readerOnA: 'exempt',
    why: "the caller's own password (a wrong current one here)",
    body: () => ({ currentPassword: 'not the current one', newPassword: 'never-set-password' }),
  },
  'GET /api/v1/users': ownList("A's own accounts"),
  'POST /api/v1/users': {
    scope: 'tenant',
    token: 409,
    why: "usernames are unique in the installation (a sign-in names no tenant): B's username is taken, the answer holds nothing of B",
    body: (b) => ({ username: b.user, role: 'viewer', password: 'a-password-of-a' }),
  },
  'PATCH /api/v1/users/{username}': hidden("changing B's user", () => ({ displayName: 'renamed by A' })),
  'POST /api/v1/users/{username}/reset': hidden("resetting B's user's password", () => ({
    password: 'a-password-of-a',
  })),
  'GET /api/v1/map/clusters': ownList("A's own devices, anywhere on earth", () => [
    'bbox=-180,-90,180,90&zoom=3',
  ]),
  'GET /api/v1/map/districts': ownList("A's own districts"),
  'GET /api/v1/map/settings': ownList("A's own city"),
  'GET /api/v1/map': ownList("A's own devices, anywhere on earth", () => [
    '',
    'bbox=-180,-90,180,90&district=oost',
  ]),
  'GET /api/v1/coverage': ownList(
    "the links A's own devices and gateways measured, anywhere on earth",
    () => {
      const hour = 3_600_000;
      const to = new Date(Math.ceil(Date.now() / hour) * hour);
      const from = new Date(to.getTime() - 7 * 24 * hour);
      return [`from=${from.toISOString()}&to=${to.toISOString()}&bbox=-180,-90,180,90&granularity=day`];
    },
  ),
  'GET /api/v1/events': { ...ownList("A's own live events"), stream: true },
  'GET /api/v1/tenants': { scope: 'platform', token: 200, why: 'the tenants the caller may see: A only' },
  'POST /api/v1/tenants': regionStaff('creating a tenant', () => ({
    id: 'probe-town',
    name: 'Probe',
    timezone: 'Europe/Prague',
    location: { lat: 50, lon: 13 },
  })),
  'GET /api/v1/tenants/{id}': {
    scope: 'platform',
    token: 404,
    why: 'a tenant the caller may not see does not exist for it',
  },
  'DELETE /api/v1/tenants/{id}': regionStaff('deleting a tenant'),
  'PATCH /api/v1/tenants/{id}': regionStaff('changing a tenant', () => ({ name: 'Renamed by A' })),
  'POST /api/v1/tenants/{id}/suspend': regionStaff('suspending a tenant'),
  'POST /api/v1/tenants/{id}/resume': regionStaff('resuming a tenant'),
  'GET /api/v1/tenants/{id}/usage': {
    scope: 'platform',
    token: 404,
    why: 'a tenant the caller may not see does not exist for it, nor its usage',
  },
  'GET /api/v1/region/alerts': {
    scope: 'platform',
    token: 200,
    query: 400,
    why: "the alerts of the tenants the caller may act on: A's only (`tenant` is no parameter of this query)",
  },
  'GET /api/v1/region/events': {
    scope: 'platform',
    token: 200,
    stream: true,
    why: "the alert changes of the tenants the caller may act on: A's only (`tenant` is not read here)",
  },
  'GET /api/v1/region/users': regionStaff("the region's accounts"),
  'POST /api/v1/region/users': regionStaff('adding a region account', (b) => ({
    username: 'probe-region-account',
    role: 'admin',
    password: 'a-password-of-a',
    grants: [b.tenant],
  })),
  'PATCH /api/v1/region/users/{username}': regionStaff('changing a region account', () => ({
    role: 'admin',
  })),
  'POST /api/v1/region/users/{username}/reset': regionStaff("resetting a region account's password", () => ({
    password: 'a-password-of-a',
  })),
  'GET /api/v1/region/tokens': regionStaff("the region's tokens"),
  'POST /api/v1/region/tokens': regionStaff('making a region token', () => ({
    name: 'probe',
    role: 'admin',
  })),
  'DELETE /api/v1/region/tokens/{id}': regionStaff('revoking a region token'),
  'GET /api/v1/region/audit': regionStaff("the region's audit log"),
  'GET /api/v1/region/dead-letters': regionStaff('refusals no tenant could be named for'),
  'GET /api/v1/region/dead-letters/usage': regionStaff('their usage'),
  'GET /api/v1/region/dead-letters/{id}/payload': regionStaff('a payload no tenant could be named for'),
  'GET /api/v1/region/gateways/{id}/debug-capture': regionStaff("the region's capture settings"),
  'PUT /api/v1/region/gateways/{id}/debug-capture': regionStaff(
    "the region's capture settings",
    (_b, now) => ({
      until: new Date(now.getTime() + 3_600_000).toISOString(),
    }),
  ),
  'DELETE /api/v1/region/gateways/{id}/debug-capture': regionStaff("the region's capture settings"),
  'GET /api/v1/open-data/datasets': ownList("A's own datasets"),
  'POST /api/v1/open-data/datasets': {
    scope: 'tenant',
    token: 400,
    why: "a dataset names a kind and a metric, no other tenant's resource; one without its fields is refused alike",
    body: (b) => ({ id: b.rule }),
  },
  'GET /api/v1/open-data/datasets/{id}': hidden("B's dataset"),
  'PUT /api/v1/open-data/datasets/{id}': hidden("changing B's dataset", () => ({})),
  'DELETE /api/v1/open-data/datasets/{id}': hidden("deleting B's dataset"),
  'GET /api/v1/open-data/datasets/{id}/preview': hidden("a preview of B's dataset"),
  'GET /api/v1/open-data/catalogue': ownList("A's own catalogue settings"),
  'PUT /api/v1/open-data/catalogue': {
    scope: 'tenant',
    token: 200,
    why: "A's own catalogue settings: they name no other tenant",
    body: () => ({}),
  },
  ...publicOpenData([
    'GET /open/{tenant}/catalog',
    'GET /open/{tenant}/datasets/{id}',
    'GET /open/{tenant}/datasets/{id}/data.{format}',
    'GET /open/{tenant}/ngsi-ld/v1/entities',
    'GET /open/{tenant}/ngsi-ld/v1/entities/{entityId}',
    'GET /open/{tenant}/ngsi-ld/v1/temporal/entities',
    'GET /open/{tenant}/ngsi-ld/v1/temporal/entities/{entityId}',
  ]),
};

/** One operation of the OpenAPI document: `METHOD path`. */
export interface Operation {
  key: string;
  method: string;
  path: string;
}

/** Every operation the OpenAPI document describes, in its order. */
export function documentedOperations(): Operation[] {
  const document = openApiDocument();
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    Object.keys(item as object)
      .filter((method) => ['get', 'put', 'post', 'delete', 'patch'].includes(method))
      .map((method) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path })),
  );
}

/** The resource a path parameter names, by the path segment before it. */
const resourceOf: Record<string, keyof TownIds> = {
  devices: 'device',
  gateways: 'gateway',
  alerts: 'alert',
  rules: 'rule',
  commands: 'command',
  'dead-letters': 'deadLetter',
  users: 'user',
  tokens: 'token',
  tenants: 'tenant',
  open: 'tenant',
  // B defines no dataset and no entity: its rule's and device's ids stand in (any id of B answers 404).
  datasets: 'rule',
  entities: 'device',
};

/** The path with each parameter filled with the town's id of that resource. */
export function fillPath(path: string, ids: TownIds): string {
  return path.replace(/\/([^/]+)\/\{([^}]+)\}/g, (_whole, segment: string, parameter: string) => {
    const resource = resourceOf[segment];
    if (!resource)
      throw new Error(`${path}: which id fills {${parameter}} after /${segment}/? Add it to resourceOf`);
    return `/${segment}/${encodeURIComponent(String(ids[resource]))}`;
  });
}
