import { z } from 'zod';
import { type DeviceKind, kinds } from './kinds/index.ts';
import type { OpenDataSpec } from './kinds/kind.ts';
import { uplink } from './uplink.ts';

/**
 * What the platform aggregates (rolls up, and may publish as open data): every device kind's
 * readings, and the gateways' cellular links from their heartbeats (`gateway_link`, the coverage
 * layer's other witness). Each source is a measurement of the same name, numeric metrics (a zod
 * object whose fields carry their unit in `meta`) and how it is published.
 */
export const gatewayLinkSource = 'gateway_link';

/** The gateway link's numeric figures (shared/uplink.ts), each as a plain number: what is aggregated. */
export const gatewayLinkMetrics = z.object({
  rsrp: uplink.shape.rsrp,
  sinr: uplink.shape.sinr,
  rsrq: z.number().meta({ unit: 'dB', description: 'Reference signal received quality' }),
  latencyMs: z.number().meta({ unit: 'ms', description: 'Round-trip time to the broker' }),
});

export type AggregateSource = DeviceKind | typeof gatewayLinkSource;
export const aggregateSource = z
  .enum([...(Object.keys(kinds) as DeviceKind[]), gatewayLinkSource] as unknown as [
    AggregateSource,
    ...AggregateSource[],
  ])
  .meta({ description: `A device kind, or ${gatewayLinkSource} (the gateways' cellular links)` });

export interface SourceSpec {
  metrics: z.ZodObject;
  openData: OpenDataSpec<string>;
}

/** Each source's metrics and open-data spec: a kind's own, and the gateway link's (theme: science and technology). */
export const sourceSpecs: Record<AggregateSource, SourceSpec> = {
  ...(kinds as unknown as Record<DeviceKind, SourceSpec>),
  [gatewayLinkSource]: { metrics: gatewayLinkMetrics, openData: { theme: 'TECH' } },
};

/** The numeric metrics of a source: what rollups keep and a dataset may publish. */
export function numericMetricsOf(source: AggregateSource): string[] {
  return Object.entries(sourceSpecs[source].metrics.shape as Record<string, z.ZodType>)
    .filter(([, schema]) => schema instanceof z.ZodNumber)
    .map(([name]) => name);
}

/** The unit of a source's metric as its schema documents it (`kWh`, `%`, `dBm`), if any. */
export function metricUnitOf(source: AggregateSource, metric: string): string | undefined {
  const schema = (sourceSpecs[source].metrics.shape as Record<string, z.ZodType>)[metric];
  return (schema?.meta() as { unit?: string } | undefined)?.unit;
}
