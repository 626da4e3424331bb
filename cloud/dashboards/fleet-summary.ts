import {
  type DailyTotal,
  type DeviceKind,
  kindList,
  kinds,
  type SummaryDevice,
  type SummaryOptions,
} from '../../shared/kinds/index.ts';
import type { DeviceView } from '../registry/registry.ts';
import type { GatewayRecord } from '../registry/store.ts';
import { quoteIdent, quoteString } from '../storage/influxql.ts';
import { eventMeasurement } from '../storage/measurements.ts';

export type { SummaryOptions };

/** Whether a device's latest values say it works, by its kind's own rule. */
export function isHealthy(device: { kind: DeviceKind; latest: Record<string, unknown> }): boolean {
  return (kinds[device.kind].healthy as (latest: Record<string, unknown>) => boolean)(device.latest);
}

type Test = (device: SummaryDevice, options: SummaryOptions) => boolean;

/** Whether a device is due on a collection round, by its kind's rule (never, for a kind without rounds). */
export function collectionDue(device: DeviceView, options: SummaryOptions): boolean {
  const due = kinds[device.kind].collectionDue as
    | ((latest: unknown, o: SummaryOptions) => boolean)
    | undefined;
  return due?.(device.latest, options) ?? false;
}

/** The kinds whose devices are emptied on collection rounds. */
export const collectedKinds: DeviceKind[] = kindList.filter((k) => k.collectionDue).map((k) => k.kind);

/**
 * KPIs of one set of devices (a district, or the whole city) from the registry's latest values, per
 * kind, counted one device at a time (`add`): `total`, `online`, one count per test the kind declares,
 * then (`figures`) the ratios it declares. A device given to `add` is not kept, so one view may be
 * reused for every device; the counting may stop between devices for the event loop (the summary of a
 * region's million devices is ~100–200 ms of CPU).
 */
export class KindTally {
  private readonly options: SummaryOptions;
  private readonly tests = Object.fromEntries(
    kindList.map((spec) => [spec.kind, Object.entries(spec.counts as Record<string, Test>)]),
  ) as Record<DeviceKind, [string, Test][]>;
  private readonly counts = Object.fromEntries(
    kindList.map((spec) => [
      spec.kind,
      Object.fromEntries([['total', 0], ['online', 0], ...this.tests[spec.kind].map(([name]) => [name, 0])]),
    ]),
  ) as Record<DeviceKind, Record<string, number>>;

  constructor(options: SummaryOptions) {
    this.options = options;
  }

  add(device: SummaryDevice & { kind: DeviceKind }): void {
    const of = this.counts[device.kind];
    if (!of) return;
    of.total = (of.total ?? 0) + 1;
    if (device.status === 'online') of.online = (of.online ?? 0) + 1;
    for (const [name, test] of this.tests[device.kind])
      if (test(device, this.options)) of[name] = (of[name] ?? 0) + 1;
  }

  /** The counts so far and the ratios derived from them. */
  figures(): Record<DeviceKind, Record<string, number>> {
    const figures = Object.fromEntries(
      kindList.map((spec) => [spec.kind, { ...this.counts[spec.kind] }]),
    ) as Record<DeviceKind, Record<string, number>>;
    for (const spec of kindList)
      for (const [name, ratio] of Object.entries(spec.ratios ?? {}))
        figures[spec.kind][name] = ratio(figures[spec.kind]);
    return figures;
  }
}

/** One InfluxQL query per daily total of every kind: the kind, the figure's name and its statement. */
export function dailyTotalQueries(window: string): { kind: DeviceKind; name: string; influxql: string }[] {
  return kindList.flatMap((spec) =>
    Object.entries((spec.today ?? {}) as Record<string, DailyTotal>).map(([name, total]) => ({
      kind: spec.kind,
      name,
      influxql: dailyTotalQuery(spec.kind, total, window),
    })),
  );
}

function dailyTotalQuery(kind: DeviceKind, total: DailyTotal, window: string): string {
  switch (total.of) {
    case 'sum':
      return `SELECT SUM(${quoteIdent(total.metric)}) FROM ${quoteIdent(kind)} WHERE ${window}`;
    case 'increase':
      return `SELECT SUM("s") FROM (SELECT SPREAD(${quoteIdent(total.metric)}) AS "s" FROM ${quoteIdent(kind)} WHERE ${window} GROUP BY "device")`;
    case 'count':
      return `SELECT COUNT("count") FROM ${quoteIdent(eventMeasurement)} WHERE "kind" = ${quoteString(kind)} AND "type" = ${quoteString(total.event)} AND ${window}`;
  }
}

export function gatewayFigures(gateways: GatewayRecord[]) {
  return { total: gateways.length, online: gateways.filter((g) => g.state === 'online').length };
}
