import type { DeviceRecord } from '../registry/store.ts';

interface Entry<V> {
  at: number;
  device: Readonly<DeviceRecord>;
  /** The record changed since (`changed`): made again at its next use. */
  stale: boolean;
  value: V;
}

/**
 * What is made from devices' records for the map's answers (their features' texts), kept by the
 * device's position in the map's devices, for at most `most` devices at once (the earliest kept going
 * first). An entry holds while the record at its position is the one it was made from and the registry
 * has told of no change to it (`changed`, from `followChanges`): taken, it costs a lookup by position
 * and the record's identity, where checking each field it was made of was a sixth of the main thread
 * under the region bench's `/map`. Each position and each device has one entry at most.
 */
export class KeptByPosition<V> {
  private readonly most: number;
  private readonly byAt = new Map<number, Entry<V>>();
  private readonly byId = new Map<string, Entry<V>>();

  constructor(most: number) {
    this.most = most;
  }

  /** What is kept for the device at position `at`, if it was made from that record and it is unchanged. */
  get(at: number, device: Readonly<DeviceRecord>): V | undefined {
    const entry = this.byAt.get(at);
    return entry !== undefined && entry.device === device && !entry.stale ? entry.value : undefined;
  }

  /** Keeps `value` for the device at `at`, as the newest, in place of what was kept at `at` or for it. */
  set(at: number, device: Readonly<DeviceRecord>, value: V): void {
    for (const earlier of [this.byAt.get(at), this.byId.get(device.id)])
      if (earlier !== undefined) this.forget(earlier);
    const entry = { at, device, stale: false, value };
    this.byAt.set(at, entry);
    this.byId.set(device.id, entry);
    if (this.byAt.size > this.most) this.forget(this.byAt.values().next().value as Entry<V>);
  }

  /** The records changed: what is kept of them is made again when next asked for. */
  changed(devices: readonly Readonly<DeviceRecord>[]): void {
    // Stryker disable next-line ConditionalExpression: a shortcut (each reading's batch, most of the time nothing kept)
    if (this.byId.size === 0) return;
    for (const device of devices) {
      const entry = this.byId.get(device.id);
      if (entry !== undefined) entry.stale = true;
    }
  }

  /** Forgets everything (the map's devices were made again: positions mean other devices). */
  clear(): void {
    this.byAt.clear();
    this.byId.clear();
  }

  /** How many devices have something kept. */
  get size(): number {
    return this.byAt.size;
  }

  private forget(entry: Entry<V>): void {
    this.byAt.delete(entry.at);
    this.byId.delete(entry.device.id);
  }
}
