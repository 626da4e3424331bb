import type { Location } from '../../shared/fleet.ts';
import type { Uplink } from '../../shared/uplink.ts';
import { clamp, round } from '../models/math.ts';
import { hashString } from '../random.ts';

/** The size of the grid the field is drawn on: about 1.1 km north-south, 0.7 km east-west here. */
const gridDegrees = 0.01;

/** A seeded value in [0, 1) at a corner of the grid. */
function cornerValue(i: number, j: number, seed: string): number {
  return hashString(`${seed}:${i}:${j}`) / 2 ** 32;
}

const smooth = (t: number) => t * t * (3 - 2 * t);

/** Value noise: the corners' values blended smoothly across each square of the grid. */
function noise(location: Location, seed: string): number {
  const x = location.lon / gridDegrees;
  const y = location.lat / gridDegrees;
  const i = Math.floor(x);
  const j = Math.floor(y);
  const u = smooth(x - i);
  const v = smooth(y - j);
  const top = cornerValue(i, j, seed) * (1 - u) + cornerValue(i + 1, j, seed) * u;
  const bottom = cornerValue(i, j + 1, seed) * (1 - u) + cornerValue(i + 1, j + 1, seed) * u;
  return top * (1 - v) + bottom * v;
}

/**
 * How weak the signal is at a place, 0 (a clear line to a mast) to 1 (a gap): the top of the noise
 * only, so most of a town is covered and some places are not (a valley, a thick-walled quarter).
 */
export function weakness(location: Location, seed: string): number {
  return clamp((noise(location, seed) - 0.5) / 0.4, 0, 1);
}

/** The network's load at an hour of the day, 0-1: interference (lower SINR) peaks in the evening. */
function load(at: Date): number {
  const hour = at.getUTCHours() + at.getUTCMinutes() / 60;
  return 0.5 + 0.5 * Math.sin(((hour - 12) / 24) * 2 * Math.PI);
}

/**
 * The link a modem at `location` measures at `at`: a deterministic model (same seed, place and minute,
 * same figures) with places of weak signal. RSRP from −80 dBm down to about −125 dBm in a gap; SINR
 * falls with weakness and with the evening's load; 5G NR where the signal is strong, LTE elsewhere.
 */
export function simulatedLink(location: Location, at: Date, seed: string): Uplink {
  const weak = weakness(location, seed);
  const minute = Math.floor(at.getTime() / 60_000);
  const jitter = hashString(`${seed}:${minute}:${location.lat}:${location.lon}`) / 2 ** 32 - 0.5;
  const rsrp = clamp(-80 - 45 * weak + 4 * jitter, -156, -31);
  const sinr = clamp(22 - 26 * weak - 5 * load(at) + 2 * jitter, -30, 50);
  return {
    technology: rsrp > -100 ? 'nr' : 'lte',
    rsrp: round(rsrp, 1),
    rsrq: round(clamp(-8 - 10 * weak, -43, 20), 1),
    sinr: round(sinr, 1),
    latencyMs: round(15 + 60 * weak + 10 * load(at), 0),
  };
}
