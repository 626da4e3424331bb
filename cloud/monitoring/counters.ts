/** Where counts and observations go: `Counters`, or a relay to the thread that holds them. */
export interface CounterSink {
  add(name: string, by?: number): void;
  observe(name: string, value: number): void;
}

/** Counters of what ingestion saw, by name; read by /health and the metrics endpoint. */
export class Counters implements CounterSink {
  private readonly values = new Map<string, number>();
  private readonly parent?: CounterSink;

  /** A tenant's counters pass every count on to `parent`, the installation's. */
  constructor(parent?: CounterSink) {
    this.parent = parent;
  }

  add(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
    this.parent?.add(name, by);
  }

  /** Records one observation (a duration, a size) as `<name>_count`, `<name>_sum` and `<name>_max`. */
  observe(name: string, value: number): void {
    this.values.set(`${name}_count`, this.get(`${name}_count`) + 1);
    this.values.set(`${name}_sum`, this.get(`${name}_sum`) + value);
    this.values.set(`${name}_max`, Math.max(this.get(`${name}_max`), value));
    this.parent?.observe(name, value);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.values.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}
