import { z } from 'zod';

/** [west, south, east, north] in degrees (WGS 84); west > east: the box crosses the antimeridian. */
export type Bbox = [west: number, south: number, east: number, north: number];

const number = /^-?\d{1,3}(\.\d{1,12})?$/;

/**
 * `bbox=west,south,east,north` of a query, as RFC 7946 §5 writes a bounding box: longitudes -180..180,
 * latitudes -90..90, south at most north. A box whose west is east of its east crosses the
 * antimeridian (RFC 7946 §5.2) and is accepted as such.
 */
export const bboxParam = z
  .string()
  .max(120)
  .transform((text, ctx) => {
    const parts = text.split(',');
    if (parts.length !== 4 || !parts.every((p) => number.test(p.trim()))) {
      ctx.addIssue({ code: 'custom', message: 'four numbers: west,south,east,north' });
      return z.NEVER;
    }
    const [west, south, east, north] = parts.map(Number) as Bbox;
    const issues: string[] = [];
    if (Math.abs(west) > 180 || Math.abs(east) > 180) issues.push('longitudes must be within -180..180');
    if (Math.abs(south) > 90 || Math.abs(north) > 90) issues.push('latitudes must be within -90..90');
    if (south > north) issues.push('south must not be north of north');
    for (const message of issues) ctx.addIssue({ code: 'custom', message });
    return issues.length > 0 ? z.NEVER : ([west, south, east, north] as Bbox);
  })
  .meta({
    description: 'west,south,east,north in degrees; west > east crosses the antimeridian',
    example: '3.70,51.04,3.74,51.06',
  });

/** Whether a point lies in the box (edges included), across the antimeridian when the box crosses it. */
export function inBbox([west, south, east, north]: Bbox, lon: number, lat: number): boolean {
  if (lat < south || lat > north) return false;
  return west <= east ? lon >= west && lon <= east : lon >= west || lon <= east;
}
