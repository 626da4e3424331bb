import type { DeviceFilter, DeviceRecord, DeviceSort, GatewayRecord, Page, RegistryStore } from './store.ts';

const compare = (a: string | undefined, b: string | undefined) =>
  a === b ? 0 : (a ?? '') < (b ?? '') ? -1 : 1;

/** Never-seen devices sort after those seen, whichever the direction. */
const byLastSeen = (direction: 1 | -1) => (a: DeviceRecord, b: DeviceRecord) =>
  Number(a.lastSeen === undefined) - Number(b.lastSeen === undefined) ||
  direction * compare(a.lastSeen, b.lastSeen) ||
  compare(a.id, b.id);

const orderBy: Record<DeviceSort, (a: DeviceRecord, b: DeviceRecord) => number> = {
  id: (a, b) => compare(a.id, b.id),
  '-id': (a, b) => compare(b.id, a.id),
  kind: (a, b) => compare(a.kind, b.kind) || compare(a.id, b.id),
  district: (a, b) => compare(a.district, b.district) || compare(a.id, b.id),
  lastSeen: byLastSeen(1),
  '-lastSeen': byLastSeen(-1),
};

function matches(device: DeviceRecord, filter: DeviceFilter): boolean {
  if (filter.kind !== undefined && device.kind !== filter.kind) return false;
  if (filter.gatewayId !== undefined && device.gatewayId !== filter.gatewayId) return false;
  if (filter.district !== undefined && device.district !== filter.district) return false;
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

/** The device registry in memory, for tests, dry runs and benchmarks: the SQLite store's behaviour, lost on exit. */
export class MemoryRegistryStore implements RegistryStore {
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly gateways = new Map<string, GatewayRecord>();

  async loadDevices(): Promise<DeviceRecord[]> {
    return [...this.devices.values()].map((d) => structuredClone(d));
  }

  async saveDevices(devices: DeviceRecord[]): Promise<void> {
    for (const device of devices) this.devices.set(device.id, structuredClone(device));
  }

  async listDevices(filter: DeviceFilter, page: Page): Promise<{ total: number; items: DeviceRecord[] }> {
    const found = [...this.devices.values()]
      .filter((d) => matches(d, filter))
      .sort(orderBy[page.sort ?? 'id']);
    return {
      total: found.length,
      items: found.slice(page.offset, page.offset + page.limit).map((d) => structuredClone(d)),
    };
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const device = this.devices.get(id);
    return device && structuredClone(device);
  }

  async loadGateways(): Promise<GatewayRecord[]> {
    return [...this.gateways.values()].sort((a, b) => compare(a.id, b.id)).map((g) => structuredClone(g));
  }

  async saveGateway(gateway: GatewayRecord): Promise<void> {
    this.gateways.set(gateway.id, structuredClone(gateway));
  }
}
