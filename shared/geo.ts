import type { Location } from './fleet.ts';

const EARTH_RADIUS_M = 6_371_000;
const RADIANS = Math.PI / 180;

/** Distance in metres (equirectangular approximation; exact enough within a city). */
export function distanceM(a: Location, b: Location): number {
  const x = (b.lon - a.lon) * RADIANS * Math.cos(((a.lat + b.lat) / 2) * RADIANS);
  const y = (b.lat - a.lat) * RADIANS;
  return Math.hypot(x, y) * EARTH_RADIUS_M;
}

/** The location `northM` metres north and `eastM` metres east of `origin`, rounded to about 10 cm. */
export function offsetLocation(origin: Location, northM: number, eastM: number): Location {
  const lat = origin.lat + northM / EARTH_RADIUS_M / RADIANS;
  const lon = origin.lon + eastM / (EARTH_RADIUS_M * Math.cos(origin.lat * RADIANS)) / RADIANS;
  return { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6 };
}
