import {
  byNewestHour,
  type DirtyHour,
  type DirtyHourStore,
  type HourKey,
  type RollupState,
} from './dirty-hours.ts';

const keyOf = (h: HourKey) => `${h.measurement}\u0000${h.hour}`;

/** Dirty hours in memory (tests, and a cloud without a data directory). */
export class MemoryDirtyHourStore implements DirtyHourStore {
  private readonly marks = new Map<string, DirtyHour>();
  private seq = 0;
  private state: RollupState = {};

  async mark(hours: readonly HourKey[]): Promise<void> {
    for (const { measurement, hour } of hours)
      this.marks.set(keyOf({ measurement, hour }), { measurement, hour, seq: ++this.seq });
  }

  async dirty(limit: number): Promise<DirtyHour[]> {
    return [...this.marks.values()]
      .sort(byNewestHour)
      .slice(0, limit)
      .map((mark) => ({ ...mark }));
  }

  async count(): Promise<number> {
    return this.marks.size;
  }

  async clear(done: readonly DirtyHour[]): Promise<void> {
    for (const hour of done) {
      const key = keyOf(hour);
      if (this.marks.get(key)?.seq === hour.seq) this.marks.delete(key);
    }
  }

  async readState(): Promise<RollupState> {
    return structuredClone(this.state);
  }

  async writeState(state: RollupState): Promise<void> {
    this.state = structuredClone(state);
  }
}
