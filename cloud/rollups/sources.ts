import { z } from 'zod';
import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';

/** The numeric metrics of each kind: what rollups keep, and the only fields a series query may name. */
export const numericMetrics: Record<DeviceKind, readonly string[]> = Object.fromEntries(
  Object.entries(kinds).map(([kind, spec]) => [
    kind,
    Object.entries(spec.metrics.shape as Record<string, z.ZodType>)
      .filter(([, schema]) => schema instanceof z.ZodNumber)
      .map(([name]) => name),
  ]),
) as unknown as Record<DeviceKind, readonly string[]>;

/**
 * A raw measurement the platform rolls up and the numeric fields it keeps of it. Every kind's
 * readings are one (measurement = kind); a feature may add another (say gateway link metrics).
 */
export interface RollupSource {
  measurement: string;
  fields: readonly string[];
}

export const kindSources: readonly RollupSource[] = Object.entries(numericMetrics).map(
  ([measurement, fields]) => ({ measurement, fields }),
);

/** The tags of a rollup point: the raw point's, and the device's map cell (`zone`). */
export const rollupTags = ['device', 'district', 'gateway', 'kind', 'zone'] as const;
/** The raw tags a rollup groups by (the zone is added from the registry). */
export const rawTags = ['device', 'district', 'gateway', 'kind'] as const;

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
