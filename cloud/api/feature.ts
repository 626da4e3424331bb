import type { Server } from 'node:http';
import type { DatabaseSync } from 'node:sqlite';
import { BrowserSessions, type SessionPolicy } from '../access/browser-sessions.ts';
import type { LockoutPolicy } from '../access/lockout.ts';
import { SqliteSessionStore } from '../access/sessions.ts';
import { SignIn } from '../access/sign-in.ts';
import { SqliteTokenStore } from '../access/tokens.ts';
import { UserAdmin } from '../access/user-admin.ts';
import { SqliteUserStore } from '../access/users.ts';
import type { Counters } from '../monitoring/counters.ts';
import { createMetricsRegistry } from '../monitoring/metrics.ts';
import type { StorageThread } from '../storage/storage-thread.ts';
import { type ApiDependencies, createApi } from './app.ts';

export interface ApiFeatureDeps extends Omit<ApiDependencies, 'metrics' | 'tokens' | 'accounts' | 'health'> {
  /** Holds the API tokens, users and sessions. */
  db: DatabaseSync;
  lockout: LockoutPolicy;
  session: SessionPolicy;
  /** Bootstrap token with the admin role (ADMIN_TOKEN), created at start if missing. */
  adminToken: string | undefined;
  port: number;
  host: string;
  counters: Counters;
  /** The journal's depth, failure and faults, for /health and /metrics. */
  journal: Pick<StorageThread, 'depth' | 'failed' | 'refusing' | 'faulty' | 'influxReachable'>;
  mqtt: { ports: Record<string, number>; connectedClients(): number };
}

/** The REST API (with /health and /metrics) on its HTTP port. */
export function apiFeature(deps: ApiFeatureDeps) {
  const { db, adminToken, port, host, counters, journal, mqtt, lockout, session, ...routes } = deps;
  const { registry, influx, audit, now } = routes;
  const tokens = new SqliteTokenStore(db);
  const users = new SqliteUserStore(db);
  const sessions = new BrowserSessions({ store: new SqliteSessionStore(db), users, policy: session, now });
  const accounts = {
    signIn: new SignIn({ users, audit, policy: lockout, now }),
    sessions,
    admin: new UserAdmin({ users, sessions, now }),
  };
  let server: Server | undefined;
  const feature = {
    name: 'api',
    /** The bound HTTP port (the configured one, or the one the system chose for 0). */
    port,
    async start() {
      if (adminToken) await tokens.ensure('bootstrap-admin', 'admin', adminToken, routes.now());
      const app = createApi({
        ...routes,
        tokens,
        accounts,
        metrics: createMetricsRegistry({
          counters,
          journalLines: () => journal.depth,
          mqttClients: () => mqtt.connectedClients(),
          devices: () => registry.size,
          alertsOpen: async () =>
            (await routes.alertStore.list({ state: 'open', limit: 1, offset: 0 })).total,
        }),
        health: {
          refusing: () => journal.refusing,
          degraded: () => [
            ...(journal.influxReachable
              ? []
              : ['InfluxDB is not reachable: the journal keeps what is accepted']),
            ...Object.entries(journal.faulty)
              .filter(([operation]) => operation !== 'append')
              .map(([operation, reason]) => `journal cannot ${operation}: ${reason}`),
          ],
          detail: () => ({
            influx: { version: influx.server.version, reachable: journal.influxReachable },
            mqtt: { ports: mqtt.ports, connectedClients: mqtt.connectedClients() },
            journal: {
              lines: journal.depth,
              ...(journal.failed && { error: journal.failed.message }),
              faults: journal.faulty,
            },
            devices: registry.size,
            counters: counters.snapshot(),
          }),
        },
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
