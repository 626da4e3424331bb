import { z } from 'zod';
import { location } from '../../shared/fleet.ts';
import { type DeviceKind, deviceKind } from '../../shared/kinds/index.ts';
import { gatewayHeartbeat } from '../../shared/messages.ts';
import type { Connectivity } from './registry.ts';

export const deviceRecord = z
  .object({
    id: z.string(),
    kind: deviceKind,
    gatewayId: z.string(),
    district: z.string(),
    location: location.optional(),
    name: z.string().optional(),
    provisioned: z.boolean().meta({
      description:
        'Listed in a provisioning file (true), or learned from telemetry or taken out of the fleet files (false)',
    }),
    firstSeen: z.string().optional(),
    lastSeen: z.string().optional(),
    latest: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).meta({
      description:
        'Latest value of each metric, merged across readings, with the timestamp of the newest reading',
    }),
    latestTs: z.string().optional(),
  })
  .meta({ id: 'DeviceRecord' });
export type DeviceRecord = z.infer<typeof deviceRecord>;

/**
 * The latest values of every device that has reported none (at start, a region's million): one frozen
 * object shared by them all, never changed; a device's first values replace it (`ownLatest`).
 */
export const noLatest: DeviceRecord['latest'] = Object.freeze({});

/** Makes latest values: a plain object (its prototype is Object.prototype) of a constructor of its own. */
const LatestValues = function LatestValues() {} as unknown as new () => DeviceRecord['latest'];
LatestValues.prototype = Object.prototype;

/**
 * A device's own latest values, with `values` in them. Made by a constructor of their own, they get
 * hidden classes of their own in V8, whose number fields a new reading overwrites in place; objects
 * sharing the hidden classes of `JSON.parse`'s (a literal `{}` or a parsed row) keep a pointer to
 * each reading's parsed number instead, and those numbers then outlive the main thread's young-
 * generation collections (alert bench: 2.6 -> 1.1 MB promoted per scavenge; docs/benchmarks.md,
 * the fifteenth session).
 */
export function latestValues(values?: DeviceRecord['latest']): DeviceRecord['latest'] {
  const latest = new LatestValues();
  return values ? Object.assign(latest, values) : latest;
}

/** A device's latest values to change: its own object, made at its first values. */
export function ownLatest(device: DeviceRecord): DeviceRecord['latest'] {
  if (device.latest === noLatest) device.latest = latestValues();
  return device.latest;
}

/** What the gateway last said about the remote configuration pushed to it. */
export const reportedConfig = z
  .object({
    version: z.int(),
    status: z.enum(['applied', 'rejected']),
    invalidFields: z.array(z.string()).optional(),
    ts: z.string(),
  })
  .meta({ id: 'ReportedConfig' });

/**
 * The gateway's last heartbeat without its envelope: queue depth, memory, the configuration version
 * in force, and the health of each of its drivers (`drivers`, docs/drivers.md).
 */
export const gatewayHealth = gatewayHeartbeat
  .omit({ v: true, gatewayId: true })
  .partial()
  .loose()
  .meta({ id: 'GatewayHealth' });

export const gatewayRecord = z
  .object({
    id: z.string(),
    district: z.string().optional(),
    location: location.optional(),
    name: z.string().optional(),
    state: z.enum(['online', 'offline', 'unknown']),
    stateSince: z.string().optional(),
    lastHeartbeat: z.string().optional(),
    health: gatewayHealth.optional(),
    configStatus: reportedConfig.optional(),
  })
  .meta({ id: 'GatewayRecord' });
export type GatewayRecord = z.infer<typeof gatewayRecord>;

/** Some devices' ids, as a set or a view that answers like one. */
export interface DeviceIds extends Iterable<string> {
  readonly size: number;
  has(id: string): boolean;
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
  ids?: DeviceIds;
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
 * embedded default is SQLite, cluster mode's PostgreSQL (postgres-store.ts);
 * test/conformance/registry-store.ts is the suite every store must pass.
 */
export interface RegistryStore {
  /** In the store's own order (SQLite's by id, the others' as first saved). */
  loadDevices(): Promise<DeviceRecord[]>;
  /** Creates or replaces each device (by id). */
  saveDevices(devices: DeviceRecord[]): Promise<void>;
  /**
   * Saves what readings changed of each device (first and last seen, latest values and their time:
   * the registry's one-second flush); a device not stored yet is saved whole. A store may write the
   * whole record, as `saveDevices` does.
   */
  saveSeen(devices: DeviceRecord[]): Promise<void>;
  getDevice(id: string): Promise<DeviceRecord | undefined>;
  /** By id. */
  loadGateways(): Promise<GatewayRecord[]>;
  /** Creates or replaces the gateway (by id). */
  saveGateway(gateway: GatewayRecord): Promise<void>;
}
