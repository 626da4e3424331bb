import { isValidCell } from 'h3-js';
import type { Location } from '../../shared/fleet.ts';
import { cellPolygon } from '../geo/cells.ts';
import type { SpatialUnit } from './dataset.ts';
import type { Geometry } from './ngsi-entities.ts';

/**
 * Where a published place is, for NGSI-LD `location`: a map cell's hexagon, or a district's centre
 * (the mean position of its devices; a district has no outline of record).
 */
export function placeLocator(
  devicesIn: (district: string) => { location?: Location }[],
): (unit: SpatialUnit, place: string) => Geometry | undefined {
  return (unit, place) => {
    if (unit === 'zone') return isValidCell(place) ? cellPolygon(place) : undefined;
    const located = devicesIn(place).flatMap((d) => (d.location ? [d.location] : []));
    if (located.length === 0) return undefined;
    const mean = (pick: (l: Location) => number) =>
      Math.round((located.reduce((sum, l) => sum + pick(l), 0) / located.length) * 1e6) / 1e6;
    return { type: 'Point', coordinates: [mean((l) => l.lon), mean((l) => l.lat)] };
  };
}
