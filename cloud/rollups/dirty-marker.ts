import type { DirtyHourStore, HourKey } from './dirty-hours.ts';

const keyOf = (h: HourKey) => `${h.measurement}\u0000${h.hour}`;

/**
 * Marks the hours the storage path wrote into as dirty, in the store, before the journal lets go of
 * their points. An hour already marked and not yet taken by the rollup task is not written again
 * (live data marks the current hour once, not once per batch); once the task takes it, the next
 * write marks it again, with a newer seq, so points that arrive while it is computed are not lost.
 */
export class DirtyMarker {
  private readonly store: DirtyHourStore;
  private readonly known = new Set<string>();

  constructor(store: DirtyHourStore) {
    this.store = store;
  }

  async mark(hours: readonly HourKey[]): Promise<void> {
    const fresh = hours.filter((h) => !this.known.has(keyOf(h)));
    if (fresh.length === 0) return;
    await this.store.mark(fresh);
    for (const hour of fresh) this.known.add(keyOf(hour));
  }

  /** The rollup task took these hours to compute: later writes must mark them again. */
  taken(hours: readonly HourKey[]): void {
    for (const hour of hours) this.known.delete(keyOf(hour));
  }
}
