/** Where counts and observations go: `Counters`, or a relay to the thread that holds them. */
export interface CounterSink {
  add(name: string, by?: number): void;
  observe(name: string, value: number): void;
}

/** Counters of what ingestion saw, by name; read by /health and the metrics endpoint. */
export class Counters implements CounterSink {
  private readonly values = new Map<string, number>();

  add(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  /** Records one observation (a duration, a size) as `<name>_count`, `<name>_sum` and `<name>_max`. */
  observe(name: string, value: number): void {
    this.add(`${name}_count`);
    this.add(`${name}_sum`, value);
    this.values.set(`${name}_max`, Math.max(this.get(`${name}_max`), value));
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
