import { describe, expect, it } from 'vitest';
import {
  cellId,
  cellOf,
  cellPolygon,
  defaultCellResolution,
  resolutionOf,
} from '../../../../cloud/geo/cells.ts';

const karlovyVary = { lat: 50.2306, lon: 12.8711 };

describe('map cells', () => {
  it('puts a location in the cell of the resolution asked, the default one unless told', () => {
    expect(resolutionOf(cellOf(karlovyVary))).toBe(defaultCellResolution);
    expect(resolutionOf(cellOf(karlovyVary, 9))).toBe(9);
    expect(cellOf(karlovyVary, 5)).not.toBe(cellOf(karlovyVary, 10));
  });

  it('puts two points a few metres apart in one cell and points kilometres apart in two', () => {
    expect(cellOf({ lat: 50.2306, lon: 12.8711 })).toBe(cellOf({ lat: 50.23065, lon: 12.87115 }));
    expect(cellOf(karlovyVary)).not.toBe(cellOf({ lat: 50.0796, lon: 12.3739 }));
  });

  it('refuses resolutions outside 5..10', () => {
    expect(() => cellOf(karlovyVary, 4)).toThrow();
    expect(() => cellOf(karlovyVary, 11)).toThrow();
    expect(cellOf(karlovyVary, 5)).toMatch(/^[0-9a-f]{15}$/);
    expect(cellOf(karlovyVary, 10)).toMatch(/^[0-9a-f]{15}$/);
  });

  it('accepts only valid H3 indexes as cell ids', () => {
    expect(cellId.safeParse(cellOf(karlovyVary)).success).toBe(true);
    expect(cellId.safeParse('881e345611ffff').success).toBe(false);
    expect(cellId.safeParse('881E345611FFFFF').success).toBe(false);
    expect(cellId.safeParse('000000000000000').success).toBe(false);
    expect(cellId.safeParse('881e345611fffff; drop').success).toBe(false);
  });

  it('outlines a cell as a closed ring around the location', () => {
    const { coordinates } = cellPolygon(cellOf(karlovyVary));
    const ring = coordinates[0] ?? [];
    expect(ring.length).toBe(7);
    expect(ring[0]).toEqual(ring[6]);
    const lons = ring.map(([lon]) => lon);
    const lats = ring.map(([, lat]) => lat);
    expect(Math.min(...lons)).toBeLessThan(karlovyVary.lon);
    expect(Math.max(...lons)).toBeGreaterThan(karlovyVary.lon);
    expect(Math.min(...lats)).toBeLessThan(karlovyVary.lat);
    expect(Math.max(...lats)).toBeGreaterThan(karlovyVary.lat);
  });
});
