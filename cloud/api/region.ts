import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { alertSeverity } from '../../shared/severity.ts';
import type { AuditLog } from '../access/audit.ts';
import { isRegionAdmin, mayActOn } from '../access/owner.ts';
import { ScopedTokenStore } from '../access/scoped-tokens.ts';
import { ScopedUserStore } from '../access/scoped-users.ts';
import { UserAdmin } from '../access/user-admin.ts';
import { alert, alertState } from '../alerts/schema.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import { ForbiddenError } from '../errors/domain-error.ts';
import type { TenantCell } from '../tenants/cell-parts.ts';
import { accessPaths, accessRoutes } from './access.ts';
import { principalOf } from './auth.ts';
import { deadLetterPaths, deadLetterRoutes } from './dead-letters.ts';
import { parseWith } from './errors.ts';
import { openEventStream } from './events.ts';
import { answer, refusals } from './openapi-parts.ts';
import type { TenantRouteSettings } from './tenant-routes.ts';
import { userPaths, userRoutes } from './users.ts';

const regionAlertQuery = z
  .object({
    state: z.union([alertState, z.literal('open')]).default('open'),
    severity: alertSeverity.optional(),
    limit: z.coerce.number().int().min(1).max(1_000).default(200),
  })
  .strict();

export const regionAlert = alert
  .extend({ tenant: z.string().meta({ description: 'The tenant (municipality) the alert is in' }) })
  .meta({ id: 'RegionAlert' });

/** The same paths under /api/v1/region (region accounts, tokens and audit; refusals no tenant was named for). */
function underRegion(paths: ZodOpenApiPathsObject, note: string): ZodOpenApiPathsObject {
  return Object.fromEntries(
    Object.entries(paths).map(([path, item]) => {
      const methods = Object.entries(item as Record<string, { summary?: string }>).map(([method, op]) => [
        method,
        { ...op, summary: `${note}: ${op.summary ?? ''}` },
      ]);
      return [path.replace('/api/v1/', '/api/v1/region/'), Object.fromEntries(methods)];
    }),
  );
}

export const regionPaths: ZodOpenApiPathsObject = {
  '/api/v1/region/alerts': {
    get: {
      summary: 'Alerts of every tenant the caller may act on, newest first (a regional dispatch view)',
      requestParams: { query: regionAlertQuery },
      responses: {
        ...answer('Alerts, each with its tenant', z.object({ items: z.array(regionAlert) })),
        ...refusals(400),
      },
    },
  },
  '/api/v1/region/events': {
    get: {
      summary:
        'Live alert changes of every tenant the caller may act on (Server-Sent Events), each alert with its tenant',
      description:
        'text/event-stream of `alert` events (as GET /api/v1/events, the alert with `tenant`), a `: ping` comment every EVENTS_PING_S. The tenants are those the caller may act on when the stream opens; reconnect to follow a new one. Counts against the same stream caps.',
      responses: {
        '200': {
          description: 'The stream',
          content: {
            'text/event-stream': { schema: z.string().meta({ description: 'event: alert blocks' }) },
          },
        },
        ...refusals(429),
      },
    },
  },
  ...underRegion(userPaths, 'Region accounts (region staff)'),
  ...underRegion(accessPaths, 'Region tokens and audit (region staff)'),
  ...underRegion(deadLetterPaths, 'Refused MQTT packets no tenant could be named for (region staff)'),
};

export interface RegionDeps extends TenantRouteSettings {
  cells: { all(): TenantCell[] };
  audit: AuditLog;
  /** Dead letters of refusals made before a gateway was let in (no tenant to keep them for). */
  deadLetters: DeadLetterStore;
}

const regionStaffOnly: RequestHandler = (_req, res, next) => {
  if (!isRegionAdmin(principalOf(res)))
    throw new ForbiddenError('this needs region staff: a region account with the admin role');
  next();
};

/**
 * /api/v1/region: what spans tenants. The alerts of every tenant the caller may act on (a region's
 * dispatch centre watching its towns), and for region staff the region's own accounts, tokens,
 * audit log and the refusals no tenant could be named for.
 */
export function regionRoutes(deps: RegionDeps): Router {
  const { now, audit } = deps;
  const router = Router();
  router.get('/region/events', (req, res) => {
    const principal = principalOf(res);
    const cells = deps.cells.all().filter((cell) => mayActOn(principal, cell.id));
    openEventStream(req, res, deps.events, (send) =>
      cells.map((cell) =>
        cell.live.bus.on('alert', ({ transition, alert }) =>
          send('alert', { transition, alert: { ...alert, tenant: cell.id } }),
        ),
      ),
    );
  });
  router.get('/region/alerts', async (req, res) => {
    const query = parseWith(regionAlertQuery, req.query, 'query');
    const principal = principalOf(res);
    const cells = deps.cells.all().filter((cell) => mayActOn(principal, cell.id));
    const pages = await Promise.all(
      cells.map(async (cell) => {
        const { items } = await cell.alerting.alertStore.list({ ...query, offset: 0 });
        return items.map((item) => ({ ...item, tenant: cell.id }));
      }),
    );
    const items = pages
      .flat()
      .sort((a, b) => (a.firedAt < b.firedAt ? 1 : a.firedAt > b.firedAt ? -1 : 0))
      .slice(0, query.limit);
    res.json({ items });
  });
  const admin = new UserAdmin({
    users: new ScopedUserStore(deps.users, null),
    sessions: deps.sessions,
    now,
  });
  const region = Router();
  region.use(
    regionStaffOnly,
    userRoutes(admin, audit, now),
    accessRoutes(new ScopedTokenStore(deps.tokens, null), audit, now),
    deadLetterRoutes({ store: deps.deadLetters, audit, now, quotaBytes: deps.deadLetterQuotaBytes }),
  );
  router.use('/region', region);
  return router;
}
