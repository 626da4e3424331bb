import { byId, listPage, matchesIndexed } from './device-listing.ts';
import { SeenOrder } from './seen-order.ts';
import type { DeviceFilter, DeviceRecord, Page } from './store.ts';

/** The filters a device list is looked up by, rather than scanned for. */
export interface IndexedFilter {
  kind?: string;
  district?: string;
  gatewayId?: string;
}

/** The devices a list starts from, sorted by id; `exact`: every one passes the filter's kind, district and gateway. */
export interface Candidates {
  devices: readonly DeviceRecord[];
  exact: boolean;
}

/**
 * The registry's devices by kind, district and gateway, each list sorted by id, and those heard from
 * by last-seen time: a filtered list starts from the smallest list that applies instead of every
 * device, and is counted without a walk where the lists tell. Devices are added (loaded, learned),
 * never removed; a list is sorted again on its first use after an addition.
 */
export class DeviceIndex {
  private all: DeviceRecord[] = [];
  private readonly lists = new Map<string, DeviceRecord[]>();
  private readonly unsorted = new Set<DeviceRecord[]>();
  private readonly seenOrder = new SeenOrder(() => this.all);
  private readonly byIdOf: (id: string) => DeviceRecord | undefined;

  /** `byIdOf`: a device by its id (the registry's lookup), for lists of a few ids. */
  constructor(byIdOf: (id: string) => DeviceRecord | undefined) {
    this.byIdOf = byIdOf;
  }

  /** Takes in a device not in the index yet. */
  add(device: DeviceRecord): void {
    this.list(device);
    this.seenOrder.seen(device);
  }

  private list(device: DeviceRecord): void {
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

  /**
   * Forgets everything, then takes in `devices` (the registry after loading the fleet files), sorted
   * by id once here so that every list comes out sorted: sorted on their first use instead, a region's
   * lists held the event loop at the first summary or device list (1,000,000 ids: ~250 ms at once).
   */
  rebuild(devices: Iterable<DeviceRecord>): void {
    this.all = [];
    this.lists.clear();
    for (const device of [...devices].sort(byId)) this.list(device);
    this.unsorted.clear();
    this.seenOrder.rebuild();
  }

  /** A device's last-seen time was set (a reading, another node's news). */
  seen(device: DeviceRecord): void {
    this.seenOrder.seen(device);
  }

  /** The devices heard from or gone quiet since the last call (`SeenOrder.takeChanges`). */
  connectivityChanges(since: string): Iterable<DeviceRecord> | undefined {
    return this.seenOrder.takeChanges(since);
  }

  private put(list: DeviceRecord[], device: DeviceRecord): void {
    list.push(device);
    this.unsorted.add(list);
  }

  /** The smallest sorted list holding every device that can pass `filter`. */
  candidates(filter: IndexedFilter): Candidates {
    let best = this.all;
    const keys = keysOf(filter);
    for (const key of keys) {
      const list = this.lists.get(key) ?? [];
      if (list.length < best.length) best = list;
    }
    if (this.unsorted.delete(best)) best.sort(byId);
    return { devices: best, exact: keys.length <= 1 };
  }

  /**
   * One page of the devices passing the filter, and how many pass. A device in a map state (`ids`)
   * or online starts from those when they are fewer; with no text and no map state, the count is
   * the list's length, less or more those online, so that an id-sorted page walks only to its end.
   */
  page(filter: DeviceFilter, page: Page): { total: number; items: DeviceRecord[] } {
    const { devices, exact } = this.candidates(filter);
    if (filter.ids !== undefined && filter.ids.size < devices.length) {
      const inState: DeviceRecord[] = [];
      for (const id of filter.ids) {
        const device = this.byIdOf(id);
        if (device) inState.push(device);
      }
      return listPage(inState.sort(byId), filter, page);
    }
    if (filter.seen === undefined || filter.seenSince === undefined) {
      const known = exact && filter.text === undefined && filter.ids === undefined;
      return listPage(devices, filter, page, known ? devices.length : undefined);
    }
    const online = this.seenOrder.online(filter.seenSince);
    if (filter.seen === 'online' && online.size < devices.length)
      return listPage([...online.keys()].sort(byId), filter, page);
    if (!exact || filter.text !== undefined || filter.ids !== undefined)
      return listPage(devices, filter, page);
    const onlineHere = countOnline(devices, online, filter);
    return listPage(
      devices,
      filter,
      page,
      filter.seen === 'online' ? onlineHere : devices.length - onlineHere,
    );
  }
}

/** How many of `devices` (each passing the filter's indexed part) are `online`, walking the fewer. */
function countOnline(
  devices: readonly DeviceRecord[],
  online: ReadonlyMap<DeviceRecord, string>,
  filter: IndexedFilter,
): number {
  let count = 0;
  if (online.size <= devices.length) {
    for (const device of online.keys()) if (matchesIndexed(device, filter)) count++;
  } else for (const device of devices) if (online.has(device)) count++;
  return count;
}

function keysOf(filter: IndexedFilter): string[] {
  const keys: string[] = [];
  if (filter.kind !== undefined) keys.push(`kind\u0000${filter.kind}`);
  if (filter.district !== undefined) keys.push(`district\u0000${filter.district}`);
  if (filter.gatewayId !== undefined) keys.push(`gateway\u0000${filter.gatewayId}`);
  return keys;
}
