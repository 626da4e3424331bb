import { z } from 'zod';
import type { AlertSeverity } from '../../shared/severity.ts';

/**
 * A device's state on the map, best first: the worst open alert's severity wins over offline and
 * ok; offline = not heard from within the offline threshold (the registry's connectivity).
 */
export const mapState = z.enum(['ok', 'offline', 'info', 'warning', 'minor', 'major', 'critical']);
export type MapState = z.infer<typeof mapState>;

export const mapStates: readonly MapState[] = mapState.options;

/** How bad a state is: its place in `mapStates` (ok 0 … critical 6). */
export const rankOf = (state: MapState): number => mapStates.indexOf(state);

/** The worse of two states. */
export const worse = (a: MapState, b: MapState): MapState => (rankOf(b) > rankOf(a) ? b : a);

/** A device's state from its connectivity and the severities of its open alerts. */
export function deriveState(online: boolean, openSeverities: Iterable<AlertSeverity>): MapState {
  let state: MapState = online ? 'ok' : 'offline';
  for (const severity of openSeverities) state = worse(state, severity);
  return state;
}

/** A count of 0 for every state. */
export function zeroCounts(): Record<MapState, number> {
  return { ok: 0, offline: 0, info: 0, warning: 0, minor: 0, major: 0, critical: 0 };
}

/** The worst state with a count above 0 (ok when none). */
export function worstOf(counts: Readonly<Record<MapState, number>>): MapState {
  for (let i = mapStates.length - 1; i > 0; i--)
    if ((counts[mapStates[i] as MapState] ?? 0) > 0) return mapStates[i] as MapState;
  return 'ok';
}
