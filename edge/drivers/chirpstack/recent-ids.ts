/**
 * The last `max` ids seen, for telling a repeated message from a new one: ChirpStack sends each
 * uplink once (its deduplicationId), but MQTT at QoS 1 may deliver it twice, and a persistent session
 * replays what it held.
 */
export class RecentIds {
  private readonly max: number;
  private readonly ids = new Set<string>();

  constructor(max: number) {
    this.max = max;
  }

  /** Whether `id` was seen before; remembers it either way. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string);
    return false;
  }
}
