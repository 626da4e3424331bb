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

/** Whether a device passes every part of the filter (text: id or name, ignoring case). */
export function matches(device: DeviceRecord, filter: DeviceFilter): boolean {
  if (filter.kind !== undefined && device.kind !== filter.kind) return false;
  if (filter.gatewayId !== undefined && device.gatewayId !== filter.gatewayId) return false;
  if (filter.district !== undefined && device.district !== filter.district) return false;
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

/**
 * One page of the devices among `candidates` (sorted by id) that pass the filter, and how many pass.
 * Sorted by id either way, the candidates are walked once without sorting; other orders sort the
 * devices that pass.
 */
export function listPage(
  candidates: readonly DeviceRecord[],
  filter: DeviceFilter,
  page: Page,
): { total: number; items: DeviceRecord[] } {
  const sort = page.sort ?? 'id';
  const end = page.offset + page.limit;
  if (sort === 'id' || sort === '-id') {
    const items: DeviceRecord[] = [];
    let total = 0;
    const step = sort === 'id' ? 1 : -1;
    for (let i = step === 1 ? 0 : candidates.length - 1; i >= 0 && i < candidates.length; i += step) {
      const device = candidates[i] as DeviceRecord;
      if (!matches(device, filter)) continue;
      if (total >= page.offset && total < end) items.push(device);
      total++;
    }
    return { total, items };
  }
  const found = candidates.filter((d) => matches(d, filter)).sort(orderBy[sort]);
  return { total: found.length, items: found.slice(page.offset, end) };
}
