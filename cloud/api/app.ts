import cors from 'cors';
import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../access/audit.ts';
import type { BrowserSessions } from '../access/browser-sessions.ts';
import type { SignIn } from '../access/sign-in.ts';
import type { TokenStore } from '../access/tokens.ts';
import type { UserAdmin } from '../access/user-admin.ts';
import type { AlertService } from '../alerts/service.ts';
import type { AlertStore } from '../alerts/store.ts';
import type { CommandService } from '../commands/service.ts';
import type { CommandStore } from '../commands/store.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import { TooManyRequestsError } from '../errors/domain-error.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { DeviceMap } from '../live/device-map.ts';
import type { DeviceStates } from '../live/device-states.ts';
import type { EventBus, LiveEvents } from '../live/events.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { dryRun } from '../rules/dry-run.ts';
import { isActive } from '../rules/schedule.ts';
import type { RuleService } from '../rules/service.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { accessRoutes } from './access.ts';
import { alertRoutes } from './alerts.ts';
import { authenticate } from './auth.ts';
import { commandRoutes } from './commands.ts';
import { consoleRoutes, securityHeaders } from './console.ts';
import { dashboardRoutes } from './dashboards.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deviceEventRoutes } from './device-events.ts';
import { deviceRoutes } from './devices.ts';
import { notFoundHandler, problemHandler } from './errors.ts';
import { type EventStreamOptions, eventRoutes } from './events.ts';
import { gatewayRoutes } from './gateways.ts';
import { type HealthSource, healthRoutes } from './health.ts';
import { mapRoutes } from './map.ts';
import { openApiDocument } from './openapi.ts';
import { refuseRewrittenBytes } from './request-bytes.ts';
import { ruleRoutes } from './rules.ts';
import { sessionRoutes, signInRoutes } from './session.ts';
import { userRoutes } from './users.ts';

export interface ApiDependencies {
  registry: DeviceRegistry;
  deadLetters: DeadLetterStore;
  /** DEAD_LETTER_QUOTA_BYTES, shown with the dead-letter usage. */
  deadLetterQuotaBytes: number;
  commands: CommandService;
  commandStore: CommandStore;
  configs: GatewayConfigService;
  rules: RuleService;
  alerts: AlertService;
  alertStore: AlertStore;
  influx: InfluxConnection;
  metrics: Registry;
  tokens: TokenStore;
  audit: AuditLog;
  /** User accounts and browser sessions. */
  accounts: { signIn: SignIn; sessions: BrowserSessions; admin: UserAdmin };
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
  seriesMaxPoints: number;
  /** Live data: the event bus, device map states and the map (cloud/live). */
  live: { bus: EventBus<LiveEvents>; states: DeviceStates; map: DeviceMap };
  /** The live stream's ping interval and caps. */
  events: Omit<EventStreamOptions, 'bus'>;
  /** MAP_TILE_URL and MAP_ATTRIBUTION. */
  mapTiles: { tileUrl?: string; attribution?: string };
  summaryMaxAgeMs: number;
  now: () => Date;
  log: Logger;
  health: HealthSource;
}

export function createApi(deps: ApiDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // req.secure (the session cookie's Secure) and req.ip (rate limits) believe only trusted proxies.
  app.set('trust proxy', deps.trustProxy);
  app.use(securityHeaders());
  app.use(cors({ origin: deps.corsOrigins.length > 0 ? deps.corsOrigins : false }));
  // Before the rate limit: a page load fetches several assets.
  app.use(consoleRoutes(deps.consoleDir));
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
    res.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  const openApi = openApiDocument();
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  app.use(express.json({ limit: '256kb' }));
  const session = {
    signIn: deps.accounts.signIn,
    sessions: deps.accounts.sessions,
    audit: deps.audit,
    now: deps.now,
    cookieSecure: deps.cookieSecure,
    attemptsPerMinute: deps.loginAttemptsPerMinute,
  };
  app.use('/api/v1', signInRoutes(session));
  app.use(
    '/api/v1',
    authenticated,
    sessionRoutes(session),
    userRoutes(deps.accounts.admin, deps.audit, deps.now),
    accessRoutes(deps.tokens, deps.audit, deps.now),
    deviceRoutes(deps.registry, deps.alertStore, deps.live.states),
    eventRoutes({ bus: deps.live.bus, ...deps.events }),
    mapRoutes({ registry: deps.registry, map: deps.live.map, ...deps.mapTiles }),
    gatewayRoutes(deps.registry, deps.configs, deps.audit, deps.now),
    commandRoutes(deps.registry, deps.commands, deps.commandStore, deps.audit),
    deadLetterRoutes({
      store: deps.deadLetters,
      audit: deps.audit,
      now: deps.now,
      quotaBytes: deps.deadLetterQuotaBytes,
    }),
    ruleRoutes(deps.rules, deps.audit, deps.now, (rule, hours) =>
      dryRun(rule, hours, {
        influx: deps.influx,
        devices: deps.registry.findDevices({ kind: rule.target.kind }),
        city: deps.registry.city,
        now: deps.now(),
        isActive: (r, at, city) => !r.schedule || !city || isActive(r.schedule, at, city),
      }),
    ),
    alertRoutes(deps.alerts, deps.alertStore, deps.audit, deps.now),
    dashboardRoutes({
      registry: deps.registry,
      influx: deps.influx,
      now: deps.now,
      maxPoints: deps.seriesMaxPoints,
      summaryMaxAgeMs: deps.summaryMaxAgeMs,
      log: deps.log,
    }),
    deviceEventRoutes({ registry: deps.registry, influx: deps.influx, now: deps.now }),
  );
  app.use(notFoundHandler);
  app.use(problemHandler(deps.log));
  return app;
}
