import type { DeviceFilter, DeviceRecord, DeviceSort, Page } from './store.ts';

const compare = (a: string | undefined, b: string | undefined) =>
  a === b ? 0 : (a ?? '') < (b ?? '') ? -1 : 1;

export const byId = (a: { id: string }, b: { id: string }) => compare(a.id, b.id);

/** Never-seen devices sort after those seen, whichever the direction. */
const byLastSeen = (direction: 1 | -1) => (a: DeviceRecord, b: DeviceRecord) =>
  Number(a.lastSeen === undefined) - Number(b.lastSeen === undefined) ||
  direction * compare(a.lastSeen, b.lastSeen) ||
  compare(a.id, b.id);

const orderBy: Record<DeviceSort, (a: DeviceRecord, b: DeviceRecord) => number> = {
  id: byId,
  '-id': (a, b) => compare(b.id, a.id),
  kind: (a, b) => compare(a.kind, b.kind) || compare(a.id, b.id),
  district: (a, b) => compare(a.district, b.district) || compare(a.id, b.id),
  lastSeen: byLastSeen(1),
  '-lastSeen': byLastSeen(-1),
};

/** Whether a device passes the filter's kind, gateway and district. */
export function matchesIndexed(
  device: DeviceRecord,
  filter: { kind?: string; gatewayId?: string; district?: string },
): boolean {
  return (
    (filter.kind === undefined || device.kind === filter.kind) &&
    (filter.gatewayId === undefined || device.gatewayId === filter.gatewayId) &&
    (filter.district === undefined || device.district === filter.district)
  );
}

/** Whether a device passes every part of the filter (text: id or name, ignoring case). */
export function matches(device: DeviceRecord, filter: DeviceFilter): boolean {
  if (!matchesIndexed(device, filter)) return false;
  if (filter.ids !== undefined && !filter.ids.has(device.id)) return false;
  if (filter.seen && filter.seenSince) {
    const online = device.lastSeen !== undefined && device.lastSeen >= filter.seenSince;
    if (online !== (filter.seen === 'online')) return false;
  }
  if (filter.text) {
    const text = filter.text.toLowerCase();
    if (!device.id.toLowerCase().includes(text) && !device.name?.toLowerCase().includes(text)) return false;
  }
  return true;
}

/** Pages ending further than this are sorted whole; nearer ones keep only their first devices while walking. */
const keptAtMost = 2_000;

/**
 * One page of the devices among `candidates` (sorted by id) that pass the filter, and how many pass.
 * Sorted by id either way, the candidates are walked once without sorting, and only to the page's
 * end when the count is known (`total`: how many pass, told by the caller's index); other orders
 * keep the first devices up to the page's end while walking (or sort all that pass, for a far page).
 */
export function listPage(
  candidates: readonly DeviceRecord[],
  filter: DeviceFilter,
  page: Page,
  total?: number,
): { total: number; items: DeviceRecord[] } {
  const sort = page.sort ?? 'id';
  const end = page.offset + page.limit;
  if (sort === 'id' || sort === '-id') {
    const items: DeviceRecord[] = [];
    let passed = 0;
    const step = sort === 'id' ? 1 : -1;
    for (let i = step === 1 ? 0 : candidates.length - 1; i >= 0 && i < candidates.length; i += step) {
      const device = candidates[i] as DeviceRecord;
      if (!matches(device, filter)) continue;
      if (passed >= page.offset && passed < end) items.push(device);
      passed++;
      if (total !== undefined && passed >= end) break;
    }
    return { total: total ?? passed, items };
  }
  const order = orderBy[sort];
  if (end > keptAtMost) {
    const found = candidates.filter((d) => matches(d, filter)).sort(order);
    return { total: found.length, items: found.slice(page.offset, end) };
  }
  const first = new FirstInOrder(end, order);
  let passed = 0;
  for (const device of candidates)
    if (matches(device, filter)) {
      passed++;
      first.offer(device);
    }
  return { total: passed, items: first.kept.slice(page.offset) };
}

/** The first `count` items in an order of those offered, kept sorted (for a page near the start). */
export class FirstInOrder<T> {
  readonly kept: T[] = [];
  private readonly count: number;
  private readonly order: (a: T, b: T) => number;

  constructor(count: number, order: (a: T, b: T) => number) {
    this.count = count;
    this.order = order;
  }

  offer(item: T): void {
    const kept = this.kept;
    if (kept.length === this.count && this.order(item, kept[kept.length - 1] as T) >= 0) return;
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.order(kept[mid] as T, item) <= 0) low = mid + 1;
      else high = mid;
    }
    kept.splice(low, 0, item);
    if (kept.length > this.count) kept.pop();
  }
}
