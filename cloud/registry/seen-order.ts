import type { DeviceRecord } from './store.ts';

/**
 * The devices heard from since a time, without walking every device: those seen are kept in the
 * order of their last-seen time (a reading moves its device to the end), and those last seen before
 * the threshold asked for are dropped from the front. The threshold moves forward with the clock;
 * asked with an earlier one (a clock set back), the order is made again from every device.
 */
export class SeenOrder {
  /** Devices by last-seen time, oldest first: each with the time it was put in at. */
  private order = new Map<DeviceRecord, string>();
  /** The latest time put in; one put in earlier than it leaves the order to be sorted again. */
  private newest = '';
  private sorted = true;
  /** The threshold asked last: those seen before it are no longer in the order. */
  private since = '';
  /** Devices that came into the order or left it since the last `takeChanges`. */
  private changed = new Set<DeviceRecord>();
  /** The order was made again since the last `takeChanges`: any device may have come or gone. */
  private remade = false;
  private readonly every: () => Iterable<DeviceRecord>;

  /** `every`: all the devices there are, for making the order again. */
  constructor(every: () => Iterable<DeviceRecord>) {
    this.every = every;
  }

  /** Makes the order again from every device's last-seen time. */
  rebuild(): void {
    const seen: [DeviceRecord, string][] = [];
    for (const device of this.every())
      if (device.lastSeen !== undefined && device.lastSeen >= this.since)
        seen.push([device, device.lastSeen]);
    this.put(seen);
    this.remade = true;
  }

  /** A device's last-seen time was set. */
  seen(device: DeviceRecord): void {
    const at = device.lastSeen;
    if (at === undefined) return;
    if (!this.order.delete(device)) this.changed.add(device);
    this.order.set(device, at);
    if (at < this.newest) this.sorted = false;
    else this.newest = at;
  }

  /** The devices last seen at `since` or later, as its keys (a live view: read it before the next change). */
  online(since: string): ReadonlyMap<DeviceRecord, string> {
    if (since < this.since) {
      this.since = since;
      this.rebuild();
    }
    this.since = since;
    if (!this.sorted) this.put([...this.order]);
    for (const [device, at] of this.order) {
      if (at >= since) break;
      this.order.delete(device);
      this.changed.add(device);
    }
    return this.order;
  }

  /**
   * The devices that were heard from or went quiet (at `since`) since the last call, each once, for
   * whoever follows connectivity without walking every device; undefined when the order was made
   * again meanwhile (any device may have changed: walk them all).
   */
  takeChanges(since: string): Iterable<DeviceRecord> | undefined {
    this.online(since);
    const changed = this.changed;
    this.changed = new Set();
    if (!this.remade) return changed;
    this.remade = false;
    return undefined;
  }

  private put(entries: [DeviceRecord, string][]): void {
    entries.sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
    this.order = new Map(entries);
    this.newest = entries.at(-1)?.[1] ?? '';
    this.sorted = true;
  }
}
