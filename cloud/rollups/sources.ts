import {
  type AggregateSource,
  gatewayLinkSource,
  numericMetricsOf,
  sourceSpecs,
} from '../../shared/aggregate-sources.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';

/** The numeric metrics of each source: what rollups keep, and the only fields a query may name. */
export const rolledUpMetrics = Object.fromEntries(
  Object.keys(sourceSpecs).map((source) => [source, numericMetricsOf(source as AggregateSource)]),
) as unknown as Record<AggregateSource, readonly string[]>;

/** The numeric metrics of each kind (the series API's). */
export const numericMetrics: Record<DeviceKind, readonly string[]> = rolledUpMetrics;

/**
 * A raw measurement the platform rolls up, the numeric fields it keeps of it and the raw tags its
 * series are grouped by. Every kind's readings are one (measurement = kind, its devices' zone added
 * from the registry); the gateways' links another (`gateway_link`, whose points carry their zone).
 */
export interface RollupSource {
  measurement: string;
  fields: readonly string[];
  /** The raw tags grouped by; without `zone`, the zone is the device's cell in the registry. */
  tags: readonly RollupTag[];
}

/** The tags of a rollup point: the raw point's, and the device's map cell (`zone`). */
export const rollupTags = ['device', 'district', 'gateway', 'kind', 'zone'] as const;
export type RollupTag = (typeof rollupTags)[number];
/** The raw tags a kind's rollup groups by (the zone is added from the registry). */
export const rawTags = ['device', 'district', 'gateway', 'kind'] as const;

export const kindSources: readonly RollupSource[] = Object.entries(numericMetrics).map(
  ([measurement, fields]) => ({ measurement, fields, tags: rawTags }),
);

/** The gateways' cellular links: per gateway, with the district and zone of its place as the point has them. */
export const gatewayLinkRollupSource: RollupSource = {
  measurement: gatewayLinkSource,
  fields: rolledUpMetrics[gatewayLinkSource],
  tags: ['gateway', 'district', 'zone'],
};

/** Everything a tenant's rollups keep. */
export const rollupSources: readonly RollupSource[] = [...kindSources, gatewayLinkRollupSource];

export type Resolution = 'hour' | 'day';

/** Where a source's rollups of a resolution go: `<measurement>_1h`, `<measurement>_1d`. */
export function rollupMeasurement(measurement: string, resolution: Resolution): string {
  return `${measurement}_${resolution === 'hour' ? '1h' : '1d'}`;
}

export const partParts = ['sum', 'count', 'min', 'max'] as const;

/** The field keeping one part of a metric's partial: `power_sum`, `power_count`... */
export function partField(metric: string, part: (typeof partParts)[number]): string {
  return `${metric}_${part}`;
}
