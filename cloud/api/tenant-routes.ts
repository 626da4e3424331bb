import { Router } from 'express';
import type { BrowserSessions } from '../access/browser-sessions.ts';
import { ScopedTokenStore } from '../access/scoped-tokens.ts';
import { ScopedUserStore } from '../access/scoped-users.ts';
import type { TokenStore } from '../access/tokens.ts';
import { UserAdmin } from '../access/user-admin.ts';
import type { UserStore } from '../access/users.ts';
import { Coverage } from '../coverage/coverage.ts';
import { influxLinkSamples } from '../coverage/link-samples.ts';
import { dryRun } from '../rules/dry-run.ts';
import { isActive } from '../rules/schedule.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import { accessRoutes } from './access.ts';
import { alertRoutes } from './alerts.ts';
import { commandRoutes } from './commands.ts';
import { coverageRoutes, maxCoverageCells } from './coverage.ts';
import { dashboardRoutes } from './dashboards.ts';
import { deadLetterRoutes } from './dead-letters.ts';
import { deviceEventRoutes } from './device-events.ts';
import { deviceRoutes } from './devices.ts';
import { type EventStreamOptions, eventRoutes } from './events.ts';
import { gatewayRoutes } from './gateways.ts';
import { mapRoutes } from './map.ts';
import { openDatasetRoutes } from './open-datasets.ts';
import { ruleRoutes } from './rules.ts';
import { userRoutes } from './users.ts';

/** What every tenant's routes share: the installation's accounts and settings. */
export interface TenantRouteSettings {
  /** The installation's stores; each tenant's routes see only its own accounts and tokens. */
  users: UserStore;
  tokens: TokenStore;
  sessions: BrowserSessions;
  /** DEAD_LETTER_QUOTA_BYTES, shown with the dead-letter usage. */
  deadLetterQuotaBytes: number;
  seriesMaxPoints: number;
  /** The live stream's ping interval and caps. */
  events: EventStreamOptions;
  /** MAP_TILE_URL and MAP_ATTRIBUTION. */
  mapTiles: { tileUrl?: string; attribution?: string };
  summaryMaxAgeMs: number;
  now: () => Date;
}

/**
 * The routes of one tenant, on its cell's stores and services only: a request that reaches them has
 * already been authenticated and let into this tenant (see `tenantScope`), so every id it names is
 * looked up among this tenant's and another tenant's answers 404, as if it did not exist.
 */
export function tenantRoutes(cell: TenantCell, settings: TenantRouteSettings): Router {
  const { now } = settings;
  const { registry, live, audit, influx, alerting, commands } = cell;
  const admin = new UserAdmin({
    users: new ScopedUserStore(settings.users, cell.id),
    sessions: settings.sessions,
    now,
  });
  const router = Router();
  router.use(
    userRoutes(admin, audit, now),
    accessRoutes(new ScopedTokenStore(settings.tokens, cell.id), audit, now),
    deviceRoutes(registry, alerting.alertStore, live.states),
    eventRoutes({ bus: live.bus, ...settings.events }),
    mapRoutes({ registry, map: live.map, ...settings.mapTiles }),
    gatewayRoutes(registry, cell.configs, audit, now),
    commandRoutes(registry, commands.service, commands.store, audit),
    deadLetterRoutes({
      store: cell.deadLetters,
      audit,
      now,
      quotaBytes: settings.deadLetterQuotaBytes,
    }),
    ruleRoutes(alerting.rules, audit, now, (rule, hours) =>
      dryRun(rule, hours, {
        influx,
        devices: registry.findDevices({ kind: rule.target.kind }),
        city: registry.city,
        now: now(),
        isActive: (r, at, city) => !r.schedule || !city || isActive(r.schedule, at, city),
      }),
    ),
    alertRoutes(alerting.alerts, alerting.alertStore, audit, now),
    dashboardRoutes({
      registry,
      influx,
      now,
      maxPoints: settings.seriesMaxPoints,
      summaryMaxAgeMs: settings.summaryMaxAgeMs,
      rollups: { ...cell.rollups, rawRetentionDays: () => cell.tenant().quotas.retentionDays },
      log: cell.log,
    }),
    deviceEventRoutes({ registry, influx, now }),
    coverageRoutes(
      new Coverage({
        samples: influxLinkSamples(influx, registry, cell.rollups.enabled ? cell.rollups.reader : undefined),
        maxCells: maxCoverageCells,
      }),
    ),
    openDatasetRoutes(cell.openData, audit, now),
  );
  return router;
}
