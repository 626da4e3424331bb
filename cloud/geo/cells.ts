import { cellToBoundary, getResolution, isValidCell, latLngToCell } from 'h3-js';
import { z } from 'zod';
import type { Location } from '../../shared/fleet.ts';

/**
 * Map cells: the hexagons of Uber's H3 grid (h3-js). One grid for every spatial unit the platform
 * aggregates into that is not a district: the open-data zones and the mobile coverage layer. A cell
 * is named by its H3 index (15 hex digits); the resolution sets its size (7 ≈ 5 km², 8 ≈ 0.74 km²,
 * 9 ≈ 0.1 km²).
 */
export const cellResolution = z.int().min(5).max(10);

/** The zone resolution the platform uses unless told otherwise: about 0.74 km², a city block or two. */
export const defaultCellResolution = 8;

/** A cell id from outside (a query, a config file): a valid H3 index, lower-case hex. */
export const cellId = z
  .string()
  .regex(/^[0-9a-f]{15}$/, 'an H3 cell index: 15 lower-case hex digits')
  .refine(isValidCell, 'not a valid H3 cell index');

/** The cell that holds `location` at `resolution`. */
export function cellOf(location: Location, resolution: number = defaultCellResolution): string {
  return latLngToCell(location.lat, location.lon, cellResolution.parse(resolution));
}

export function resolutionOf(cell: string): number {
  return getResolution(cell);
}

/** The cell's outline as a closed GeoJSON ring, [lon, lat] pairs. */
export function cellPolygon(cell: string): { type: 'Polygon'; coordinates: [number, number][][] } {
  const ring = cellToBoundary(cell, true) as [number, number][];
  return { type: 'Polygon', coordinates: [ring] };
}
