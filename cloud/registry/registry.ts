import { z } from 'zod';
import type { City, FleetFile } from '../../shared/fleet.ts';
import type { DeviceKind, Reading } from '../../shared/kinds/index.ts';
import type { ConfigStatus, GatewayHeartbeat, GatewayStatus } from '../../shared/messages.ts';
import type { Rejection } from '../dead-letters/rejection.ts';
import { DeviceIndex, type IndexedFilter } from './device-index.ts';
import { matches } from './device-listing.ts';
import { GatewayRecords } from './gateways.ts';
import type { DevicePlacement } from './placement.ts';
import { layFleetOver, provisionedRecord } from './provisioning.ts';
import { admissible, type OverQuota, planLoad, type RegistryQuotas, unlimited } from './quota.ts';
import { type RegistrySaves, takeSavedDevices } from './saved-elsewhere.ts';
import { SharedTexts } from './shared-texts.ts';
import {
  type DeviceFilter,
  type DeviceRecord,
  deviceRecord,
  type GatewayRecord,
  noLatest,
  ownLatest,
  type Page,
  type RegistryStore,
} from './store.ts';
import { isOlder } from './timestamps.ts';
import { WriteBehind } from './write-behind.ts';

export const unassignedDistrict = 'unassigned';

/** Heard from within the offline threshold, or not. */
export const connectivity = z.enum(['online', 'offline']);
export type Connectivity = z.infer<typeof connectivity>;

/** A device with its connectivity now, as the API lists it. */
export const deviceView = deviceRecord.extend({ status: connectivity }).meta({ id: 'Device' });
export type DeviceView = z.infer<typeof deviceView>;

export interface RegistryOptions {
  store: RegistryStore;
  now: () => Date;
  /** A device not heard from for this long is offline. */
  offlineAfterMs: number;
  /**
   * A write behind to the store failed (the record stays in memory and is written again with its
   * next change; later writes go on). Without it, the failure is thrown as an uncaught exception,
   * as a failing synchronous store's was.
   */
  onWriteError?: (error: Error) => void;
  /**
   * Learn a device that is not in the fleet files from its first reading or event (auto-discovery,
   * LEARN_UNPROVISIONED_DEVICES). Off by default: such a device's readings and events are refused.
   */
  learnUnprovisioned?: boolean;
  /** The municipality the devices are in (its tenant record); without it, the first fleet file's city. */
  city?: () => City;
  /**
   * How many devices and gateways it may hold (the tenant's quotas, read at each decision); unlimited
   * without it. Fleet-file entries beyond them are not loaded, and no device is learned past them.
   */
  quotas?: () => RegistryQuotas;
  /** Told each time a quota kept something out (see `OverQuota`). */
  onOverQuota?: (over: OverQuota) => void;
  /**
   * Told what it saves while it runs (a device learned, admitted or heard from, a gateway's record),
   * when it queues the write, not at the load: cluster mode hands it to the other nodes.
   */
  onSaved?: (saved: RegistrySaves) => void;
}

/**
 * The device registry: what each device is, where it is and which gateway owns it (from the
 * provisioning files), what it last reported and when. A device not in any provisioning file is
 * refused, unless learning is on: then it is learned from telemetry and owned by the gateway that
 * first reported it.
 * Lookups are served from memory; every change is written behind to the store, in order.
 */
export class DeviceRegistry {
  private readonly options: RegistryOptions;
  private readonly devices = new Map<string, DeviceRecord>();
  private readonly gateways = new GatewayRecords({
    now: () => this.options.now(),
    save: (gateway) => {
      this.tell({ devices: [], seen: [], gateways: [gateway] });
      this.behind.write(`gateway ${gateway.id}`, () => this.options.store.saveGateway(gateway));
    },
  });
  /** Loaded: what it saves from now on is told (`onSaved`). */
  private loaded = false;
  private readonly tell = (saved: RegistrySaves) => this.loaded && this.options.onSaved?.(saved);
  /** The devices by kind, district and gateway, for filtered lists. */
  private readonly index = new DeviceIndex((id) => this.devices.get(id));
  private cityOfFleet?: City;
  private readonly texts = new SharedTexts();
  /** Every change written behind to the store, in order; the devices heard from once a second. */
  private readonly behind: WriteBehind;
  /** Told of the records changed in memory (`followChanges`). */
  private readonly changeFollowers = new Set<(devices: readonly Readonly<DeviceRecord>[]) => void>();

  constructor(options: RegistryOptions) {
    this.options = options;
    this.behind = new WriteBehind({
      saveSeen: (devices) => options.store.saveSeen(devices),
      onSeen: (seen) => this.tell({ devices: [], seen, gateways: [] }),
      onWriteError: options.onWriteError,
    });
  }

  /** Fleet-file entries a quota kept out at the last load, in file order: admitted if it is raised. */
  private waiting: Pick<FleetFile, 'gateways' | 'devices'> = { gateways: [], devices: [] };

  private readonly quotas = (): RegistryQuotas => this.options.quotas?.() ?? unlimited;

  /**
   * Loads the stored registry and applies the provisioning files over it, within the quotas: the
   * fleet files' first devices and gateways (in file order) up to them, then the stored records the
   * files do not list (learned or withdrawn devices, gateways once heard) while room is left. What
   * does not fit is not loaded (it stays in the store) and is reported once to `onOverQuota`. Only
   * the devices the files change are written (a restart with the same files writes none again).
   */
  async load(fleets: FleetFile[]): Promise<void> {
    const { store } = this.options;
    const stored = { devices: await store.loadDevices(), gateways: await store.loadGateways() };
    const plan = planLoad(fleets, stored, this.quotas());
    for (const fleet of fleets) this.cityOfFleet ??= fleet.city;
    for (const device of plan.storedDevices) this.devices.set(device.id, device);
    for (const gateway of plan.earlierGateways) this.gateways.hold(gateway);
    const storedGateway = new Map(stored.gateways.map((g) => [g.id, g]));
    for (const g of plan.fleetGateways) this.gateways.provision(g, storedGateway.get(g.id));
    const provisioned = layFleetOver(this.devices, plan.fleetDevices, plan.earlierDevices, this.texts);
    this.index.rebuild(this.devices.values());
    this.changed(provisioned);
    this.behind.write('the provisioned devices', () => store.saveDevices(provisioned));
    this.waiting = plan.waiting;
    for (const over of plan.over) this.options.onOverQuota?.(over);
    this.loaded = true;
    await this.written();
  }

  /**
   * The quotas were raised: the fleet-file entries left out at the load are admitted, in file order,
   * while they fit (a lowered quota takes effect at the next load: nothing is taken out while running).
   * Returns how many of each were admitted.
   */
  async admitWaiting(): Promise<{ gateways: number; devices: number }> {
    const { store } = this.options;
    const quotas = this.quotas();
    const gateways = admissible(this.waiting.gateways, this.gateways, quotas.gateways);
    const devices = admissible(this.waiting.devices, this.devices, quotas.devices);
    if (gateways.length + devices.length === 0) return { gateways: 0, devices: 0 };
    const stored = new Map((await store.loadGateways()).map((g) => [g.id, g]));
    for (const g of gateways) this.gateways.provision(g, this.gateways.get(g.id) ?? stored.get(g.id));
    const admitted: DeviceRecord[] = [];
    for (const d of devices) {
      const known = await store.getDevice(d.id);
      admitted.push(this.provisionDevice(d, this.devices.get(d.id) ?? known));
    }
    this.index.rebuild(this.devices.values());
    this.changed(admitted);
    this.tell({ devices: admitted, seen: [], gateways: [] });
    this.behind.write('the admitted devices', () => store.saveDevices(admitted));
    this.waiting = {
      gateways: this.waiting.gateways.filter((g) => !this.gateways.has(g.id)),
      devices: this.waiting.devices.filter((d) => !this.devices.has(d.id)),
    };
    await this.written();
    return {
      gateways: new Set(gateways.map((g) => g.id)).size,
      devices: new Set(admitted.map((d) => d.id)).size,
    };
  }

  private provisionDevice(d: FleetFile['devices'][number], known: DeviceRecord | undefined): DeviceRecord {
    const device = provisionedRecord(d, known, this.texts);
    this.devices.set(d.id, device);
    return device;
  }

  /**
   * Takes in what another node's registry saved (cluster mode): devices it learned, admitted or heard
   * from and gateways' records, where newer (saved-elsewhere.ts). In memory only: that node writes
   * them. A device new here is added, past the quota too (the other node checked it); what was seen
   * of a device unknown here is left (it comes with the device's record, or the next load).
   */
  takeSaved(saved: RegistrySaves): void {
    this.changed(takeSavedDevices(this.devices, this.index, saved));
    for (const gateway of saved.gateways) this.gateways.takeSaved(gateway);
  }

  /** Resolves once every write queued so far is done. */
  written(): Promise<void> {
    return this.behind.written();
  }

  get size(): number {
    return this.devices.size;
  }

  /** How many gateways it holds: the fleet files' and those heard from. */
  get gatewayCount(): number {
    return this.gateways.size;
  }

  /**
   * Where each item's device sits, or why it may not report through this gateway. A device not in
   * the fleet files (one learned while learning was on included) is refused; with learning on, an
   * unknown device is learned here, owned by this gateway, in the unassigned district.
   */
  place(gatewayId: string, item: { deviceId: string; kind: DeviceKind }): DevicePlacement | Rejection {
    let device = this.devices.get(item.deviceId);
    if (!this.options.learnUnprovisioned && !device?.provisioned) {
      // The id is not quoted: an id nobody provisioned is text the sender chose (a MAC, a plate, a name).
      return {
        reason: 'unknown-device',
        message: 'device not in the fleet files (LEARN_UNPROVISIONED_DEVICES is off)',
      };
    }
    if (!device) {
      const quota = this.quotas().devices;
      if (this.devices.size >= quota) {
        this.options.onOverQuota?.({ when: 'learn', what: 'devices', quota });
        return {
          reason: 'device-over-quota',
          message: `device not learned: the tenant's registry holds its quota of ${quota} devices`,
        };
      }
      device = {
        id: item.deviceId,
        kind: item.kind,
        gatewayId,
        district: unassignedDistrict,
        provisioned: false,
        latest: noLatest,
      };
      this.devices.set(device.id, device);
      this.index.add(device);
      const learned = device;
      this.changed([learned]);
      this.tell({ devices: [learned], seen: [], gateways: [] });
      this.behind.write(`device ${learned.id}`, () => this.options.store.saveDevices([learned]));
    }
    if (device.kind !== item.kind) {
      return {
        reason: 'device-kind-mismatch',
        message: `device ${item.deviceId} is registered as ${device.kind}, not ${item.kind}`,
      };
    }
    if (device.gatewayId !== gatewayId) {
      return {
        reason: 'device-of-other-gateway',
        message: `device ${item.deviceId} belongs to gateway ${device.gatewayId}, not ${gatewayId}`,
      };
    }
    return device;
  }

  /**
   * Records accepted readings in memory: last seen and latest values (a reading older than the latest
   * does not overwrite it). The store is written behind, at most once a second (`flush`), so ingest
   * does no SQLite work per reading; a crash loses at most that second of last-seen times, never a
   * reading (those are in the journal).
   */
  recordReadings(readings: Reading[]): void {
    const now = this.options.now().toISOString();
    const heard: DeviceRecord[] = [];
    for (const reading of readings) {
      const device = this.devices.get(reading.deviceId);
      if (!device) continue;
      heard.push(device);
      device.firstSeen ??= now;
      if (device.lastSeen !== now) {
        device.lastSeen = now;
        this.index.seen(device);
      }
      if (!device.latestTs || !isOlder(reading.ts, device.latestTs)) {
        Object.assign(ownLatest(device), reading.metrics);
        device.latestTs = reading.ts;
      }
    }
    this.behind.heard(heard);
    this.changed(heard);
  }

  /**
   * Tells `follower` of every record changed in memory from now on (readings, another node's saves,
   * fleet files loaded or admitted), once per batch, after the change: what keeps text made from
   * records (the map's features) forgets it then instead of checking every record each time it is
   * asked. Returns the means to stop.
   */
  followChanges(follower: (devices: readonly Readonly<DeviceRecord>[]) => void): () => void {
    this.changeFollowers.add(follower);
    return () => this.changeFollowers.delete(follower);
  }

  private changed(devices: readonly Readonly<DeviceRecord>[]): void {
    if (devices.length > 0) for (const follower of this.changeFollowers) follower(devices);
  }

  /** Writes the devices changed since the last flush; resolves once written. */
  flush(): Promise<void> {
    return this.behind.flush();
  }

  /** Flushes once a second until `stopFlushing`. */
  startFlushing(): void {
    this.behind.start();
  }

  stopFlushing(): Promise<void> {
    return this.behind.stop();
  }

  recordStatus(status: GatewayStatus): void {
    this.gateways.recordStatus(status);
  }

  recordHeartbeat(heartbeat: GatewayHeartbeat): void {
    this.gateways.recordHeartbeat(heartbeat);
  }

  recordConfigStatus(status: ConfigStatus): void {
    this.gateways.recordConfigStatus(status);
  }

  getGateway(id: string): GatewayRecord | undefined {
    return this.gateways.get(id);
  }

  private onlineSince(): string {
    return new Date(this.options.now().getTime() - this.options.offlineAfterMs).toISOString();
  }

  private view(device: DeviceRecord): DeviceView {
    return { ...device, status: this.connectivity()(device) };
  }

  /** Tells a device's connectivity now; one threshold for every device it is asked about. */
  connectivity(): (device: Pick<DeviceRecord, 'lastSeen'>) => Connectivity {
    const since = this.onlineSince();
    return (device) => (device.lastSeen !== undefined && device.lastSeen >= since ? 'online' : 'offline');
  }

  /** Devices heard from or gone quiet since the last call, for one follower (the map states); undefined: any may have. */
  connectivityChanges(): Iterable<Readonly<DeviceRecord>> | undefined {
    return this.index.connectivityChanges(this.onlineSince());
  }

  /**
   * Every device record, or those of a kind, as they are: no copy per device, so the rules tick and
   * the status snapshots can visit 100,000 devices without allocating 100,000 views.
   */
  *records(kind?: DeviceKind): Generator<Readonly<DeviceRecord>> {
    for (const device of this.devices.values()) if (!kind || device.kind === kind) yield device;
  }

  /** One page of the devices passing the filter, and how many pass; from memory, through the index. */
  listDevices(filter: Omit<DeviceFilter, 'seenSince'>, page: Page): { total: number; items: DeviceView[] } {
    const result = this.index.page({ ...filter, seenSince: this.onlineSince() }, page);
    return { total: result.total, items: result.items.map((d) => this.view(d)) };
  }

  /** The records passing the filter, as they are (not to be changed): for figures over many devices. */
  *matching(filter: IndexedFilter & { kind?: DeviceKind }): Generator<Readonly<DeviceRecord>> {
    for (const device of this.index.candidates(filter).devices) if (matches(device, filter)) yield device;
  }

  /** Every device matching the filter (for group commands, maps and KPIs), with its connectivity. */
  findDevices(filter: { kind?: DeviceKind; district?: string; gatewayId?: string }): DeviceView[] {
    const connectivity = this.connectivity();
    return [...this.matching(filter)].map((d) => ({ ...d, status: connectivity(d) }));
  }

  /** The city of the provisioning files (time zone for "today", centre as the default depot). */
  get city(): City | undefined {
    return this.options.city?.() ?? this.cityOfFleet;
  }

  /** The record itself, without connectivity: for the hot path (the rules engine), not to be changed. */
  record(id: string): Readonly<DeviceRecord> | undefined {
    return this.devices.get(id);
  }

  getDevice(id: string): DeviceView | undefined {
    const device = this.devices.get(id);
    return device && this.view(device);
  }

  listGateways(): GatewayRecord[] {
    return this.gateways.list();
  }
}
