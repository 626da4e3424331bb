import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema.d.ts';
import type {
  CatalogueSettings,
  CoverageCells,
  GatewayConfigInput,
  MapSettings,
  NewTenant,
  OpenDataset,
  Problem,
  Role,
  RuleInput,
  Session,
  TenantChange,
} from './types.ts';

/**
 * The console's one door to the API: every request the pages make goes through these functions.
 * Sessions are cookies (HttpOnly, set by POST /session); unsafe methods carry the session's CSRF
 * token; a 401 anywhere sends the console back to the sign-in page. A region account's requests
 * name the town they are about (X-Tenant).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem | undefined;
  constructor(status: number, problem: Problem | undefined) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
  /** Field errors by dotted path (`conditions.0.value`), without the `body.` prefix. */
  fieldErrors(): Map<string, string> {
    const map = new Map<string, string>();
    for (const e of this.problem?.errors ?? []) map.set(e.path.replace(/^body\.(rule\.)?/, ''), e.message);
    return map;
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();

/** Called on any 401 (the session ended or never began). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (csrfToken && !['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
  onResponse({ response, request }) {
    if (response.status === 401 && !new URL(request.url).pathname.endsWith('/session')) {
      for (const listener of unauthorizedListeners) listener();
    }
    return response;
  },
};

/** The town a region account's requests are about; undefined for a town's own account (the server knows it). */
let requestTenant: string | undefined;

/** Names `tenant` in every request from now on (X-Tenant), or no tenant. */
export function scopeRequests(tenant: string | undefined): void {
  requestTenant = tenant;
}

const tenantScope: Middleware = {
  onRequest({ request }) {
    if (requestTenant) request.headers.set('X-Tenant', requestTenant);
    return request;
  },
};

const client = createClient<paths>({ baseUrl: location.origin, credentials: 'same-origin' });
client.use(session, tenantScope);

/** The answer's data (typed by the generated paths), or an ApiError with the problem JSON. */
async function unwrap<T>(
  call: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<Exclude<T, undefined>> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, error as Problem | undefined);
  return data as Exclude<T, undefined>;
}
const path = <P extends Record<string, string>>(p: P) => ({ params: { path: p } });

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } }
  ? NonNullable<Q>
  : never;

export type AlertAction = 'acknowledge' | 'assign' | 'comments' | 'resolve';

export const api = {
  // Session.
  async signIn(username: string, password: string): Promise<Session> {
    const s = await unwrap(client.POST('/api/v1/session', { body: { username, password } }));
    csrfToken = s.csrfToken;
    return s;
  },
  async currentSession(): Promise<Session | undefined> {
    try {
      const s = await unwrap(client.GET('/api/v1/session'));
      csrfToken = s.csrfToken;
      return s;
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) return undefined;
      throw error;
    }
  },
  async signOut(): Promise<void> {
    await unwrap(client.DELETE('/api/v1/session'));
    csrfToken = undefined;
  },
  changePassword: (currentPassword: string, newPassword: string) =>
    unwrap(client.POST('/api/v1/session/password', { body: { currentPassword, newPassword } })),

  // Users (admin).
  users: () => unwrap(client.GET('/api/v1/users')),
  addUser: (user: { username: string; displayName?: string; role: Role; password: string }) =>
    unwrap(client.POST('/api/v1/users', { body: user })),
  updateUser: (username: string, change: { displayName?: string; role?: Role; disabled?: boolean }) =>
    unwrap(client.PATCH('/api/v1/users/{username}', { ...path({ username }), body: change })),
  resetUser: (username: string, password: string) =>
    unwrap(client.POST('/api/v1/users/{username}/reset', { ...path({ username }), body: { password } })),

  // Open data (admin).
  datasets: () => unwrap(client.GET('/api/v1/open-data/datasets')),
  createDataset: (dataset: OpenDataset) =>
    unwrap(client.POST('/api/v1/open-data/datasets', { body: dataset })),
  saveDataset: (id: string, dataset: OpenDataset) =>
    unwrap(client.PUT('/api/v1/open-data/datasets/{id}', { ...path({ id }), body: dataset })),
  deleteDataset: (id: string) => unwrap(client.DELETE('/api/v1/open-data/datasets/{id}', path({ id }))),
  previewDataset: (id: string) => unwrap(client.GET('/api/v1/open-data/datasets/{id}/preview', path({ id }))),
  catalogueSettings: () => unwrap(client.GET('/api/v1/open-data/catalogue')),
  saveCatalogueSettings: (settings: CatalogueSettings) =>
    unwrap(client.PUT('/api/v1/open-data/catalogue', { body: settings })),

  // Towns (tenants): the list for everyone, the rest for region staff.
  tenants: () => unwrap(client.GET('/api/v1/tenants')),
  tenantUsage: (id: string) => unwrap(client.GET('/api/v1/tenants/{id}/usage', path({ id }))),
  createTenant: (tenant: NewTenant) => unwrap(client.POST('/api/v1/tenants', { body: tenant })),
  changeTenant: (id: string, change: TenantChange) =>
    unwrap(client.PATCH('/api/v1/tenants/{id}', { ...path({ id }), body: change })),
  suspendTenant: (id: string) => unwrap(client.POST('/api/v1/tenants/{id}/suspend', path({ id }))),
  resumeTenant: (id: string) => unwrap(client.POST('/api/v1/tenants/{id}/resume', path({ id }))),
  deleteTenant: (id: string) => unwrap(client.DELETE('/api/v1/tenants/{id}', path({ id }))),
  /** Open alerts of every town the account may see, each with its town, newest first. */
  regionAlerts: () => unwrap(client.GET('/api/v1/region/alerts', { params: { query: { state: 'open' } } })),

  // Fleet.
  summary: (district?: string) => unwrap(client.GET('/api/v1/summary', { params: { query: { district } } })),
  devices: (query: Query<'/api/v1/devices'>) => unwrap(client.GET('/api/v1/devices', { params: { query } })),
  device: (id: string) => unwrap(client.GET('/api/v1/devices/{id}', path({ id }))),
  series: (id: string, query: Query<'/api/v1/devices/{id}/series'>) =>
    unwrap(client.GET('/api/v1/devices/{id}/series', { params: { path: { id }, query } })),
  sendCommand: (id: string, command: Record<string, unknown>) =>
    unwrap(
      client.POST('/api/v1/devices/{id}/commands', {
        ...path({ id }),
        // The command's shape is checked by the kind's zod schema in the form and again by the server.
        body: { command } as never,
      }),
    ),
  commands: (device: string) =>
    unwrap(client.GET('/api/v1/commands', { params: { query: { device, limit: 20 } } })),
  deviceEvents: (id: string, query: Query<'/api/v1/devices/{id}/events'> = {}) =>
    unwrap(client.GET('/api/v1/devices/{id}/events', { params: { path: { id }, query } })),
  command: (id: string) => unwrap(client.GET('/api/v1/commands/{id}', path({ id }))),
  collection: () => unwrap(client.GET('/api/v1/waste/collection')),

  // Map.
  // openapi-fetch widens tuples to arrays in its answer types; the document says `bounds` has four.
  mapSettings: async () => (await unwrap(client.GET('/api/v1/map/settings'))) as MapSettings,
  districts: () => unwrap(client.GET('/api/v1/map/districts')),
  clusters: (
    bbox: [number, number, number, number],
    zoom: number,
    filter: Omit<Query<'/api/v1/map/clusters'>, 'bbox' | 'zoom'> = {},
  ) =>
    unwrap(
      client.GET('/api/v1/map/clusters', {
        params: {
          query: { bbox: bbox.map((n) => n.toFixed(5)).join(','), zoom: Math.round(zoom), ...filter },
        },
      }),
    ),

  /** The coverage layer of [from, to): one figure per cell and hour, or per day of 24 h from `from`. */
  coverage: async (from: Date, to: Date, granularity: 'hour' | 'day') =>
    (await unwrap(
      client.GET('/api/v1/coverage', {
        params: { query: { from: from.toISOString(), to: to.toISOString(), granularity } },
      }),
    )) as CoverageCells,

  // Alerts.
  alerts: (query: Query<'/api/v1/alerts'>) => unwrap(client.GET('/api/v1/alerts', { params: { query } })),
  alert: (id: string) => unwrap(client.GET('/api/v1/alerts/{id}', path({ id }))),
  /** One action on an alert; `text` is the note, the assignee, the comment or the reason. */
  alertAction(id: string, action: AlertAction, text: string) {
    const at = path({ id });
    if (action === 'acknowledge')
      return unwrap(
        client.POST('/api/v1/alerts/{id}/acknowledge', { ...at, body: text ? { note: text } : {} }),
      );
    if (action === 'assign')
      return unwrap(client.POST('/api/v1/alerts/{id}/assign', { ...at, body: { assignee: text } }));
    if (action === 'comments')
      return unwrap(client.POST('/api/v1/alerts/{id}/comments', { ...at, body: { text } }));
    return unwrap(client.POST('/api/v1/alerts/{id}/resolve', { ...at, body: { reason: text } }));
  },

  // Rules.
  rules: () => unwrap(client.GET('/api/v1/rules')),
  rule: (id: string) => unwrap(client.GET('/api/v1/rules/{id}', path({ id }))),
  createRule: (rule: RuleInput) => unwrap(client.POST('/api/v1/rules', { body: rule })),
  saveRule: (id: string, rule: RuleInput) =>
    unwrap(client.PUT('/api/v1/rules/{id}', { ...path({ id }), body: rule })),
  dryRun: (rule: RuleInput, hours: number) =>
    unwrap(client.POST('/api/v1/rules/dry-run', { body: { rule, hours } })),
  exportRules: () => unwrap(client.GET('/api/v1/rules/export')),
  importRules: (rules: RuleInput[]) => unwrap(client.POST('/api/v1/rules/import', { body: rules })),

  // Gateways.
  gateways: () => unwrap(client.GET('/api/v1/gateways')),
  gatewayConfig: (id: string) => unwrap(client.GET('/api/v1/gateways/{id}/config', path({ id }))),
  setGatewayConfig: (id: string, config: GatewayConfigInput) =>
    unwrap(client.PUT('/api/v1/gateways/{id}/config', { ...path({ id }), body: config })),
};

/**
 * The live event stream (contract: GET /api/v1/events, Server-Sent Events) of a town: EventSource
 * sends no headers, so a region account names the town in the query.
 */
export const eventsUrl = (tenant: string | undefined) =>
  tenant ? `/api/v1/events?tenant=${encodeURIComponent(tenant)}` : '/api/v1/events';
