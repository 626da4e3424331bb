import type { DeviceRecord, GatewayRecord, RegistryStore } from './store.ts';

const compare = (a: string, b: string) => (a === b ? 0 : a < b ? -1 : 1);

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

  /** The whole record, as `saveDevices`. */
  saveSeen(devices: DeviceRecord[]): Promise<void> {
    return this.saveDevices(devices);
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
