import type { Location } from '../../shared/fleet.ts';
import { distanceM } from '../../shared/geo.ts';

export interface Stop {
  id: string;
  location: Location;
}

/**
 * Orders the bins to empty into a round trip from the depot: nearest neighbour to build a tour, then
 * 2-opt (reverse any segment that shortens the tour) until no swap helps. Within a few percent of the
 * best tour for the tens to hundreds of bins of one round, in milliseconds.
 */
export function planRoute<S extends Stop>(depot: Location, stops: S[]): { order: S[]; totalM: number } {
  const remaining = [...stops];
  const tour: S[] = [];
  let here = depot;
  while (remaining.length > 0) {
    let best = 0;
    for (let i = 1; i < remaining.length; i++) {
      if (distanceM(here, (remaining[i] as S).location) < distanceM(here, (remaining[best] as S).location))
        best = i;
    }
    const next = remaining.splice(best, 1)[0] as S;
    tour.push(next);
    here = next.location;
  }
  const point = (i: number) => (i < 0 || i >= tour.length ? depot : (tour[i] as S).location);
  for (let improved = true; improved; ) {
    improved = false;
    for (let i = 0; i < tour.length - 1; i++) {
      for (let j = i + 1; j < tour.length; j++) {
        const before = distanceM(point(i - 1), point(i)) + distanceM(point(j), point(j + 1));
        const after = distanceM(point(i - 1), point(j)) + distanceM(point(i), point(j + 1));
        if (after + 1e-6 < before) {
          tour.splice(i, j - i + 1, ...tour.slice(i, j + 1).reverse());
          improved = true;
        }
      }
    }
  }
  return {
    order: tour,
    totalM: routeLength(
      depot,
      tour.map((s) => s.location),
    ),
  };
}

export function routeLength(depot: Location, locations: Location[]): number {
  let total = 0;
  let here = depot;
  for (const location of locations) {
    total += distanceM(here, location);
    here = location;
  }
  return total + (locations.length > 0 ? distanceM(here, depot) : 0);
}
