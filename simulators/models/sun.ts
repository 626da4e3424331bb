import { getPosition } from 'suncalc';
import type { Location } from '../../shared/fleet.ts';

/** Altitude of the sun's upper limb at sunrise and sunset, refraction included, in degrees. */
export const SUNSET_ALTITUDE = -0.833;

/** Apparent altitude of the sun above the horizon at a place, in degrees. */
export function sunAltitude(date: Date, where: Location): number {
  return getPosition(date, where.lat, where.lon).altitude;
}

/**
 * Clear-sky horizontal illuminance in lux for a sun altitude: about 100 klx with the sun high,
 * 400 lx at sunset, falling tenfold every 2.4° of twilight to nothing at astronomical-ish night.
 */
export function daylightLux(altitude: number): number {
  if (altitude >= 0) return 400 + 100_000 * Math.sin((altitude * Math.PI) / 180) ** 1.2;
  if (altitude >= -12) return 400 * 10 ** (altitude / 2.4);
  return 0;
}
