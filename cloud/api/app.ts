import cors from 'cors';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditLog, AuditOf } from '../access/audit.ts';
import type { BrowserSessions } from '../access/browser-sessions.ts';
import type { Principal } from '../access/principal.ts';
import type { SignIn } from '../access/sign-in.ts';
import type { TokenStore } from '../access/tokens.ts';
import type { UserStore } from '../access/users.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import { TooManyRequestsError } from '../errors/domain-error.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import type { TenantService } from '../tenants/service.ts';
import { authenticate, principalOf } from './auth.ts';
import { consoleRoutes, securityHeaders } from './console.ts';
import { notFoundHandler, problemHandler } from './errors.ts';
import { StreamSlots } from './events.ts';
import { type HealthSource, healthRoutes } from './health.ts';
import { openDataRoutes } from './open-data.ts';
import { openApiDocument } from './openapi.ts';
import { regionRoutes } from './region.ts';
import { refuseRewrittenBytes } from './request-bytes.ts';
import { sessionRoutes, signInRoutes } from './session.ts';
import { type TenantRouteSettings, tenantRoutes } from './tenant-routes.ts';
import { tenantScope } from './tenant-scope.ts';
import { tenantAdminRoutes } from './tenants.ts';

export interface ApiDependencies
  extends Omit<TenantRouteSettings, 'users' | 'tokens' | 'sessions' | 'events'> {
  /** The live streams' ping interval and caps (all tenants together). */
  events: { pingMs: number; maxStreams: number; maxStreamsPerPrincipal: number };
  /** The running tenants, each with its own stores and services. */
  cells: { get(id: string): TenantCell | undefined; all(): TenantCell[] };
  tenants: TenantService;
  /** The installation's accounts and API tokens (each tenant's routes see only its own). */
  users: UserStore;
  tokens: TokenStore;
  /** The region's audit log (tenants' changes, region accounts), and the log an account's actions go to. */
  audit: AuditLog;
  auditOf: AuditOf;
  /** Refused MQTT packets no tenant could be named for (before a gateway was let in). */
  unattributedDeadLetters: DeadLetterStore;
  /** The metrics a caller may read: region staff the installation's, a tenant's account its tenant's. */
  metrics: (caller: Principal) => Registry;
  /** Sign-in and browser sessions. */
  accounts: { signIn: SignIn; sessions: BrowserSessions };
  /** COOKIE_SECURE: the session cookie is Secure even on requests that did not come over TLS. */
  cookieSecure: boolean;
  /** TRUST_PROXY: express's `trust proxy` (which proxies' X-Forwarded-For/-Proto are believed). */
  trustProxy: boolean | number | string;
  /** LOGIN_ATTEMPTS_PER_MINUTE: failed sign-ins per client address. */
  loginAttemptsPerMinute: number;
  /** The built operator console (Vite's output), served at `/`. */
  consoleDir: string;
  /** Origins allowed to call the API from a browser; empty: none. */
  corsOrigins: string[];
  requestsPerMinute: number;
  /** OPEN_DATA_REQUESTS_PER_MINUTE: the public open-data API's own limit per client address. */
  openDataRequestsPerMinute: number;
  health: HealthSource;
  log: Logger;
}

export function createApi(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // No ETag made from every answer's body (a SHA-1 of it: 0.56 ms for a street's 756 kB of map on the
  // bench's machine, 5.5 % of /map/clusters): the API's answers are live data behind a token. Open
  // data makes its own (open-data-cache.ts); the console's files have theirs (express.static).
  app.set('etag', false);
  // req.secure (the session cookie's Secure) and req.ip (rate limits) believe only trusted proxies.
  app.set('trust proxy', deps.trustProxy);
  app.use(securityHeaders());
  app.use(cors({ origin: deps.corsOrigins.length > 0 ? deps.corsOrigins : false }));
  // Before the rate limit: a page load fetches several assets.
  app.use(consoleRoutes(deps.consoleDir));
  // Public, without a token, under its own rate limit (a harvester or a map must not eat the API's).
  app.use(
    '/open',
    openDataRoutes({
      requestsPerMinute: deps.openDataRequestsPerMinute,
      publisher: (id) => {
        const cell = deps.cells.get(id);
        if (cell?.tenant().status !== 'active') return undefined;
        return { openData: cell.openData, name: cell.tenant().name };
      },
    }),
  );
  app.use(
    rateLimit({
      windowMs: 60_000,
      limit: deps.requestsPerMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      handler: () => {
        throw new TooManyRequestsError(`more than ${deps.requestsPerMinute} requests a minute`);
      },
    }),
  );
  app.use(refuseRewrittenBytes);
  app.use(healthRoutes(deps.health));
  const authenticated = authenticate(deps.tokens, deps.accounts.sessions);
  app.get('/metrics', authenticated, async (_req, res) => {
    const metrics = deps.metrics(principalOf(res));
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  const openApi = openApiDocument();
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(express.json({ limit: '256kb' }));
  const session = {
    signIn: deps.accounts.signIn,
    sessions: deps.accounts.sessions,
    auditOf: deps.auditOf,
    now: deps.now,
    cookieSecure: deps.cookieSecure,
    attemptsPerMinute: deps.loginAttemptsPerMinute,
  };
  const settings: TenantRouteSettings = {
    users: deps.users,
    tokens: deps.tokens,
    sessions: deps.accounts.sessions,
    deadLetterQuotaBytes: deps.deadLetterQuotaBytes,
    seriesMaxPoints: deps.seriesMaxPoints,
    events: {
      pingMs: deps.events.pingMs,
      slots: new StreamSlots(deps.events.maxStreams, deps.events.maxStreamsPerPrincipal),
    },
    mapTiles: deps.mapTiles,
    summaryMaxAgeMs: deps.summaryMaxAgeMs,
    now: deps.now,
  };
  app.use('/api/v1', signInRoutes(session));
  app.use(
    '/api/v1',
    authenticated,
    sessionRoutes(session),
    tenantAdminRoutes({ tenants: deps.tenants, cells: deps.cells, audit: deps.audit, now: deps.now }),
    regionRoutes({
      ...settings,
      cells: deps.cells,
      audit: deps.audit,
      deadLetters: deps.unattributedDeadLetters,
    }),
    tenantScope(deps.cells, (cell) => tenantRoutes(cell, settings)),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
