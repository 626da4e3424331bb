import type { Location } from '../../shared/fleet.ts';
import type { DeviceKind, MetricValue } from '../../shared/kinds/index.ts';
import type { Connectivity } from './registry.ts';

export interface DeviceRecord {
  id: string;
  kind: DeviceKind;
  gatewayId: string;
  district: string;
  location?: Location;
  name?: string;
  /** Listed in a provisioning file (true), or learned from telemetry or taken out of the fleet files (false). */
  provisioned: boolean;
  firstSeen?: string;
  lastSeen?: string;
  /** Latest value of each metric, merged across readings, with the timestamp of the newest reading. */
  latest: Record<string, MetricValue>;
  latestTs?: string;
}

export interface GatewayRecord {
  id: string;
  district?: string;
  location?: Location;
  name?: string;
  state: 'online' | 'offline' | 'unknown';
  stateSince?: string;
  lastHeartbeat?: string;
  health?: Record<string, unknown>;
  /** What the gateway last said about the remote configuration pushed to it. */
  configStatus?: { version: number; status: 'applied' | 'rejected'; invalidFields?: string[]; ts: string };
}

export interface DeviceFilter {
  kind?: DeviceKind;
  gatewayId?: string;
  district?: string;
  /** Devices seen at or after this instant are online; before it (or never) offline. */
  seenSince?: string;
  seen?: Connectivity;
  /** Free text: matches id or name, case-insensitively. */
  text?: string;
  /** Only these devices (e.g. those in one map state). */
  ids?: ReadonlySet<string>;
}

export const deviceSorts = ['id', '-id', 'kind', 'district', 'lastSeen', '-lastSeen'] as const;
export type DeviceSort = (typeof deviceSorts)[number];

export interface Page {
  limit: number;
  offset: number;
  sort?: DeviceSort;
}

/**
 * Persistence of the device registry, which serves lookups and lists from memory and writes behind. The
 * embedded default is SQLite; a PostgreSQL store can implement the same interface;
 * test/conformance/registry-store.ts is the suite every store must pass.
 */
export interface RegistryStore {
  loadDevices(): Promise<DeviceRecord[]>;
  /** Creates or replaces each device (by id). */
  saveDevices(devices: DeviceRecord[]): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  /** By id. */
  loadGateways(): Promise<GatewayRecord[]>;
  /** Creates or replaces the gateway (by id). */
  saveGateway(gateway: GatewayRecord): Promise<void>;
}
