import { cellPolygon } from '../geo/cells.ts';
import { type Bbox, type CellQuality, cellInBox, cellQualities, dayMs, hourMs } from './cell-hours.ts';
import type { CoverageMetric } from './classes.ts';
import type { LinkSampleReader } from './link-samples.ts';

export interface CoverageRequest {
  from: Date;
  to: Date;
  granularity: 'hour' | 'day';
  metric: CoverageMetric;
  bbox?: Bbox;
}

/**
 * The coverage layer: the link quality of map cells per hour (or per day of 24 hours from `from`),
 * from what the devices and gateways measured. Answers at most `maxCells` cells (one per cell and
 * bucket): more is refused, so the caller narrows the box or the range.
 */
export class Coverage {
  private readonly samples: LinkSampleReader;
  readonly maxCells: number;

  constructor(options: { samples: LinkSampleReader; maxCells: number }) {
    this.samples = options.samples;
    this.maxCells = options.maxCells;
  }

  /** The cells, or `tooMany` with their count when there are more than `maxCells`. */
  async cells(request: CoverageRequest): Promise<{ cells: CellQuality[] } | { tooMany: number }> {
    const { bbox } = request;
    const samples = await this.samples(request);
    const inBox = bbox ? samples.filter((s) => cellInBox(s.cell, bbox)) : samples;
    const cells = cellQualities(inBox, request, request.metric);
    return cells.length > this.maxCells ? { tooMany: cells.length } : { cells };
  }
}

/** The cells as an RFC 7946 FeatureCollection: each a hexagon with its figures and class. */
export function coverageGeoJson(cells: CellQuality[], granularity: 'hour' | 'day') {
  const length = granularity === 'hour' ? hourMs : dayMs;
  return {
    type: 'FeatureCollection' as const,
    features: cells.map((c) => ({
      type: 'Feature' as const,
      id: `${c.cell}@${new Date(c.start).toISOString()}`,
      geometry: cellPolygon(c.cell),
      properties: {
        cell: c.cell,
        start: new Date(c.start).toISOString(),
        end: new Date(c.start + length).toISOString(),
        class: c.class,
        rsrp: c.rsrp === undefined ? null : round(c.rsrp),
        sinr: c.sinr === undefined ? null : round(c.sinr),
        readings: c.readings,
        sources: c.sources,
      },
    })),
  };
}

/** Two decimals: more than a modem reports. The class is taken from the exact mean. */
const round = (value: number) => Math.round(value * 100) / 100;
