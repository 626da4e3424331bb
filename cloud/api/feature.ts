import type { Server } from 'node:http';
import type { Registry } from 'prom-client';
import type { AuditLog, AuditOf } from '../access/audit.ts';
import { BrowserSessions, type SessionPolicy } from '../access/browser-sessions.ts';
import type { LockoutPolicy } from '../access/lockout.ts';
import { isRegionAdmin } from '../access/owner.ts';
import type { SessionStore } from '../access/sessions.ts';
import { SignIn } from '../access/sign-in.ts';
import type { TokenStore } from '../access/tokens.ts';
import type { UserStore } from '../access/users.ts';
import { ForbiddenError, NotFoundError } from '../errors/domain-error.ts';
import type { Counters } from '../monitoring/counters.ts';
import { createMetricsRegistry } from '../monitoring/metrics.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import { type ApiDependencies, createApi } from './app.ts';
import { mergedReasons } from './health.ts';

export interface ApiFeatureDeps
  extends Omit<ApiDependencies, 'metrics' | 'tokens' | 'users' | 'accounts' | 'health' | 'auditOf'> {
  /** The platform's accounts, tokens and browser sessions. */
  stores: { users: UserStore; tokens: TokenStore; sessions: SessionStore };
  lockout: LockoutPolicy;
  session: SessionPolicy;
  /** Bootstrap token of region staff (ADMIN_TOKEN), created at start if missing. */
  adminToken: string | undefined;
  port: number;
  host: string;
  counters: Counters;
  influx: InfluxConnection;
  mqtt: { ports: Record<string, number>; connectedClients(): number };
}

const sum = (cells: TenantCell[], value: (cell: TenantCell) => number) =>
  cells.reduce((total, cell) => total + value(cell), 0);

/** What /health reads: every tenant's journal, counted but never named (see `mergedReasons`). */
function healthOf(deps: ApiFeatureDeps): ApiDependencies['health'] {
  const { cells, influx, mqtt, counters } = deps;
  const each = (reasons: (cell: TenantCell) => string[]) => mergedReasons(cells.all().map(reasons));
  return {
    refusing: () => each((cell) => cell.journal.refusing),
    degraded: () =>
      each((cell) => [
        ...(cell.journal.influxReachable
          ? []
          : ['InfluxDB is not reachable: the journal keeps what is accepted']),
        ...Object.entries(cell.journal.faulty)
          .filter(([operation]) => operation !== 'append')
          .map(([operation, reason]) => `journal cannot ${operation}: ${reason}`),
      ]),
    detail: () => {
      const failed = mergedReasons(
        cells.all().map((cell) => (cell.journal.failed ? [cell.journal.failed.message] : [])),
      );
      return {
        influx: {
          version: influx.server.version,
          reachable: cells.all().every((cell) => cell.journal.influxReachable),
        },
        mqtt: { ports: mqtt.ports, connectedClients: mqtt.connectedClients() },
        journal: {
          lines: sum(cells.all(), (cell) => cell.journal.depth),
          ...(failed.length > 0 ? { error: failed.join('; ') } : {}),
          // What the journals cannot do, by operation: the first tenant's reason of each.
          faults: Object.assign(
            {},
            ...cells
              .all()
              .map((cell) => cell.journal.faulty)
              .reverse(),
          ),
        },
        tenants: cells.all().length,
        devices: sum(cells.all(), (cell) => cell.registry.size),
        counters: counters.snapshot(),
      };
    },
  };
}

const openAlerts = async (cell: TenantCell) =>
  (await cell.alerting.alertStore.list({ state: 'open', limit: 1, offset: 0 })).total;

/**
 * Which metrics a caller reads: region staff the installation's (with the process's own), a tenant's
 * account its tenant's counts only (what its cell counted, its gateways, devices and alerts): another
 * tenant's activity is not its to see, not even in a sum. Other region accounts read none.
 */
function metricsOf(deps: ApiFeatureDeps): ApiDependencies['metrics'] {
  const { cells, counters, mqtt } = deps;
  const installation = createMetricsRegistry({
    counters,
    journalLines: () => sum(cells.all(), (cell) => cell.journal.depth),
    mqttClients: () => mqtt.connectedClients(),
    devices: () => sum(cells.all(), (cell) => cell.registry.size),
    alertsOpen: async () => (await Promise.all(cells.all().map(openAlerts))).reduce((a, b) => a + b, 0),
  });
  const ofCell = new WeakMap<TenantCell, Registry>();
  return (caller) => {
    if (caller.tenant === null) {
      if (isRegionAdmin(caller)) return installation;
      throw new ForbiddenError("the installation's metrics are for region staff");
    }
    const cell = cells.get(caller.tenant);
    if (!cell) throw new NotFoundError(`tenant ${caller.tenant} not found`);
    let registry = ofCell.get(cell);
    if (!registry) {
      registry = createMetricsRegistry(
        {
          counters: cell.counters,
          journalLines: () => cell.journal.depth,
          mqttClients: () => cell.connectedGateways(),
          devices: () => cell.registry.size,
          alertsOpen: () => openAlerts(cell),
        },
        { process: false },
      );
      ofCell.set(cell, registry);
    }
    return registry;
  };
}

/** The REST API (with /health and /metrics) on its HTTP port. */
export function apiFeature(deps: ApiFeatureDeps) {
  const { stores, adminToken, port, host, counters, mqtt, lockout, session, ...routes } = deps;
  const { cells, audit, now } = routes;
  const { tokens, users } = stores;
  const auditOf: AuditOf = (tenant): Pick<AuditLog, 'record'> =>
    (tenant === null ? undefined : cells.get(tenant)?.audit) ?? audit;
  const sessions = new BrowserSessions({ store: stores.sessions, users, policy: session, now });
  const accounts = { signIn: new SignIn({ users, auditOf, policy: lockout, now }), sessions };
  let server: Server | undefined;
  const feature = {
    name: 'api',
    /** The bound HTTP port (the configured one, or the one the system chose for 0). */
    port,
    async start() {
      if (adminToken)
        await tokens.ensure('bootstrap-admin', 'admin', adminToken, routes.now(), {
          tenant: null,
          grants: [],
        });
      const app = createApi({
        ...routes,
        tokens,
        users,
        auditOf,
        accounts,
        metrics: metricsOf(deps),
        health: healthOf(deps),
      });
      server = await listenHttp(app, port, host);
      const address = server.address();
      if (typeof address === 'object' && address) feature.port = address.port;
    },
    stop() {
      return new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
  return feature;
}

function listenHttp(app: ReturnType<typeof createApi>, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (error?: Error) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        reject(
          code === 'EADDRINUSE'
            ? new Error(`HTTP port ${host}:${port} is already in use; set HTTP_PORT`)
            : error,
        );
      } else resolve(server);
    });
  });
}
