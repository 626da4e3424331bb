import { byId } from './device-listing.ts';
import type { DeviceRecord } from './store.ts';

/** The filters a device list is looked up by, rather than scanned for. */
export interface IndexedFilter {
  kind?: string;
  district?: string;
  gatewayId?: string;
}

/**
 * The registry's devices by kind, district and gateway, each list sorted by id: a filtered list
 * starts from the smallest list that applies instead of every device. Devices are added (loaded,
 * learned), never removed; a list is sorted again on its first use after an addition.
 */
export class DeviceIndex {
  private all: DeviceRecord[] = [];
  private readonly lists = new Map<string, DeviceRecord[]>();
  private readonly unsorted = new Set<DeviceRecord[]>();

  /** Takes in a device not in the index yet. */
  add(device: DeviceRecord): void {
    this.put(this.all, device);
    for (const key of keysOf(device)) {
      let list = this.lists.get(key);
      if (!list) {
        list = [];
        this.lists.set(key, list);
      }
      this.put(list, device);
    }
  }

  /** Forgets everything, then takes in `devices` (the registry after loading the fleet files). */
  rebuild(devices: Iterable<DeviceRecord>): void {
    this.all = [];
    this.lists.clear();
    this.unsorted.clear();
    for (const device of devices) this.add(device);
  }

  private put(list: DeviceRecord[], device: DeviceRecord): void {
    list.push(device);
    this.unsorted.add(list);
  }

  /** The smallest sorted list holding every device that can pass `filter`. */
  candidates(filter: IndexedFilter): readonly DeviceRecord[] {
    let best = this.all;
    for (const key of keysOf(filter)) {
      const list = this.lists.get(key) ?? [];
      if (list.length < best.length) best = list;
    }
    if (this.unsorted.delete(best)) best.sort(byId);
    return best;
  }
}

function keysOf(filter: IndexedFilter): string[] {
  const keys: string[] = [];
  if (filter.kind !== undefined) keys.push(`kind\u0000${filter.kind}`);
  if (filter.district !== undefined) keys.push(`district\u0000${filter.district}`);
  if (filter.gatewayId !== undefined) keys.push(`gateway\u0000${filter.gatewayId}`);
  return keys;
}
