import { Router } from 'express';
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import type { DeviceKind, SummaryDevice, SummaryOptions } from '../../shared/kinds/index.ts';
import { localDayStart } from '../../shared/local-time.ts';
import { planRoute } from '../dashboards/collection-route.ts';
import {
  collectedKinds,
  collectionDue,
  dailyTotalQueries,
  gatewayFigures,
  KindTally,
} from '../dashboards/fleet-summary.ts';
import { Refreshed } from '../dashboards/refreshed.ts';
import { numericMetrics, planSeries, type SeriesRequest } from '../dashboards/series-query.ts';
import { chooseResolution, foldSeries, seriesAggregateQuery } from '../dashboards/series-resolution.ts';
import { InvalidRequestError, NotFoundError } from '../errors/domain-error.ts';
import { inTimedRuns } from '../lifecycle/timed-runs.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { RollupReader } from '../rollups/reader.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteString } from '../storage/influxql.ts';
import { collectionRound, deviceSeries, fleetSummary, groupSeries } from './dashboard-answers.ts';
import { parseWith } from './errors.ts';
import { answer, idPath, refusals } from './openapi-parts.ts';
import { collectionQuery, groupSeriesQuery, seriesQuery, summaryQuery } from './schemas.ts';

export const dashboardPaths: ZodOpenApiPathsObject = {
  '/api/v1/devices/{id}/series': {
    get: {
      summary: 'Time series of one metric of one device',
      requestParams: { path: idPath('device id'), query: seriesQuery },
      responses: { ...answer('The series', deviceSeries), ...refusals(400, 404) },
    },
  },
  '/api/v1/series': {
    get: {
      summary: 'Time series of one metric over a kind, optionally one district',
      requestParams: { query: groupSeriesQuery },
      responses: { ...answer('The series', groupSeries), ...refusals(400) },
    },
  },
  '/api/v1/summary': {
    get: {
      summary: 'Fleet KPIs per kind, for the city or one district',
      requestParams: { query: summaryQuery },
      responses: { ...answer('The figures', fleetSummary), ...refusals(400) },
    },
  },
  '/api/v1/waste/collection': {
    get: {
      summary: 'Bins to empty now, ordered into a round from the depot',
      requestParams: { query: collectionQuery },
      responses: { ...answer('The round', collectionRound), ...refusals(400) },
    },
  },
};

export interface DashboardDependencies {
  registry: DeviceRegistry;
  influx: InfluxConnection;
  now: () => Date;
  /** Most buckets a series answer may have; more is coarsened. */
  maxPoints: number;
  /** How old a summary may be before it is computed again (SUMMARY_REFRESH_S); served meanwhile. */
  summaryMaxAgeMs: number;
  /** The tenant's rollups: series of whole hours or days read from them (docs/rollups.md). */
  rollups: { reader: RollupReader; enabled: boolean; rawRetentionDays: () => number };
  log: Logger;
}

/** Time series, fleet KPIs and the waste collection round. */
export function dashboardRoutes(deps: DashboardDependencies): Router {
  const { registry, influx, now, maxPoints, log } = deps;
  const router = Router();
  const summaries = new Refreshed<Record<string, unknown>>({
    maxAgeMs: deps.summaryMaxAgeMs,
    maxKeys: 64,
    now: () => now().getTime(),
    onError: (error) => log.error({ err: error }, 'fleet summary not refreshed'),
  });

  /**
   * The fleet summary's counts of a district (or all) from the registry's records, in timed runs
   * (`inTimedRuns`): a region's million devices are ~100–200 ms of CPU, which would hold every other
   * answer and the ingest. One reused view, no copies.
   */
  async function summaryFigures(district: string | undefined, options: SummaryOptions) {
    const connectivity = registry.connectivity();
    const tally = new KindTally(options);
    let view: (SummaryDevice & { kind: DeviceKind }) | undefined;
    await inTimedRuns(
      registry.matching({ district }),
      (take) => {
        for (let device = take(); device !== undefined; device = take()) {
          const status = connectivity(device);
          if (view) {
            view.kind = device.kind;
            view.latest = device.latest;
            view.status = status;
          } else view = { kind: device.kind, latest: device.latest, status };
          tally.add(view);
        }
      },
      {},
    );
    return tally.figures();
  }

  async function summary(q: z.infer<typeof summaryQuery>) {
    const at = now();
    const since = new Date(localDayStart(at.getTime(), registry.city?.timezone ?? 'UTC'));
    const options = { binThreshold: q.binThreshold, maxDaysWithoutEmptying: 7, now: at };
    const district = q.district === undefined ? '' : ` AND "district" = ${quoteString(q.district)}`;
    const window = `time >= ${since.getTime()}ms AND time <= ${at.getTime()}ms${district}`;
    const totals = dailyTotalQueries(window);
    const [answers, figures] = await Promise.all([
      Promise.all(totals.map((t) => influx.select(t.influxql))),
      summaryFigures(q.district, options),
    ]);
    totals.forEach((total, i) => {
      figures[total.kind][total.name] = Number(answers[i]?.[0]?.values[0]?.[1] ?? 0);
    });
    const gateways = registry
      .listGateways()
      .filter((g) => q.district === undefined || g.district === q.district);
    return {
      district: q.district ?? null,
      generatedAt: at.toISOString(),
      today: { since: since.toISOString(), timezone: registry.city?.timezone ?? 'UTC' },
      ...figures,
      gateways: gatewayFigures(gateways),
    };
  }

  async function series(request: Omit<SeriesRequest, 'from' | 'to'> & { from?: Date; to?: Date }) {
    const to = request.to ?? now();
    const from = request.from ?? new Date(to.getTime() - 86_400_000);
    if (!numericMetrics[request.kind].includes(request.metric)) {
      throw new InvalidRequestError(`metric must be one of ${numericMetrics[request.kind].join(', ')}`, {
        errors: [{ path: 'query.metric', message: `not a numeric metric of ${request.kind}` }],
      });
    }
    const plan = planSeries({ ...request, from, to }, maxPoints);
    const { resolution, everyMs } = chooseResolution(
      { fn: request.fn, from, everyMs: plan.everyMs },
      { now: now(), rawRetentionDays: deps.rollups.rawRetentionDays(), rollups: deps.rollups.enabled },
    );
    const answer = {
      kind: request.kind,
      metric: request.metric,
      fn: request.fn,
      from: from.toISOString(),
      to: to.toISOString(),
      every: everyMs === plan.everyMs ? plan.every : `${everyMs / 3_600_000}h`,
      coarsened: plan.coarsened || everyMs !== plan.everyMs,
      resolution,
    };
    if (resolution === 'raw' || request.fn === 'last') {
      const [result] = await influx.select(plan.influxql);
      const points = (result?.values ?? []).map(([t, v]) => ({
        t: new Date(Number(t)).toISOString(),
        v: v as number,
      }));
      return { ...answer, resolution: 'raw' as const, points };
    }
    const timeZone = registry.city?.timezone ?? 'UTC';
    const { fn } = request;
    const query = seriesAggregateQuery({ ...request, fn, from, to, everyMs }, resolution, timeZone);
    const rows = await deps.rollups.reader.partials(query, resolution === 'hour' ? everyMs : undefined);
    const fold = { fn, resolution, everyMs, firstDay: query.from.getTime(), timeZone };
    return { ...answer, points: foldSeries(rows, fold) };
  }

  router.get('/devices/:id/series', async (req, res) => {
    const device = registry.getDevice(req.params.id);
    if (!device) throw new NotFoundError(`device ${req.params.id} is not registered`);
    const q = parseWith(seriesQuery, req.query, 'query');
    res.json({
      deviceId: device.id,
      ...(await series({ ...q, kind: device.kind, deviceId: device.id, everyMs: q.every })),
    });
  });

  router.get('/series', async (req, res) => {
    const q = parseWith(groupSeriesQuery, req.query, 'query');
    res.json({ district: q.district ?? null, ...(await series({ ...q, everyMs: q.every })) });
  });

  router.get('/summary', async (req, res) => {
    const q = parseWith(summaryQuery, req.query, 'query');
    res.json(await summaries.get(`${q.district ?? ''}\u0000${q.binThreshold}`, () => summary(q)));
  });

  router.get('/waste/collection', (req, res) => {
    const q = parseWith(collectionQuery, req.query, 'query');
    const depot = q.depot ?? registry.city?.location;
    if (!depot) throw new InvalidRequestError('no depot given and no city in the fleet files');
    const options = { binThreshold: q.threshold, maxDaysWithoutEmptying: 7, now: now() };
    const due = collectedKinds
      .flatMap((kind) => registry.findDevices({ kind, district: q.district }))
      .filter((d) => d.location && collectionDue(d, options))
      .map((d) => ({ id: d.id, location: d.location as { lat: number; lon: number }, device: d }));
    const route = planRoute(depot, due);
    res.json({
      depot,
      threshold: q.threshold,
      heuristic: 'nearest neighbour, improved by 2-opt',
      totalMeters: Math.round(route.totalM),
      stops: route.order.map((stop, index) => ({
        order: index + 1,
        deviceId: stop.id,
        district: stop.device.district,
        location: stop.location,
        fillingLevel: stop.device.latest.fillingLevel ?? null,
        dateLastEmptying: stop.device.latest.dateLastEmptying ?? null,
      })),
    });
  });
  return router;
}
