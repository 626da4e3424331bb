import { isHealthy } from '../dashboards/fleet-summary.ts';
import type { Connectivity } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';

type Located = Readonly<DeviceRecord> & { location: NonNullable<DeviceRecord['location']> };

const isLocated = (d: Readonly<DeviceRecord>): d is Located => d.location !== undefined;

/**
 * A located device's GeoJSON feature (RFC 7946: coordinates are [longitude, latitude]) with its
 * connectivity now: what `DeviceFeatures` writes, as an object.
 */
export function deviceFeature(d: Located, status: Connectivity) {
  return {
    type: 'Feature' as const,
    id: d.id,
    geometry: { type: 'Point' as const, coordinates: [d.location.lon, d.location.lat] },
    properties: {
      id: d.id,
      kind: d.kind,
      district: d.district,
      gatewayId: d.gatewayId,
      name: d.name ?? null,
      status,
      condition: status === 'offline' ? 'offline' : isHealthy(d) ? 'ok' : 'fault',
      lastSeen: d.lastSeen ?? null,
      latest: d.latest,
    },
  };
}

/** Tells a device's connectivity from its last-seen time (the registry's `connectivity()`). */
export type ConnectivityOf = (device: Pick<DeviceRecord, 'lastSeen'>) => Connectivity;

/** Devices as an answer finds them: each one's record and its position in the map's devices. */
export interface Placed {
  readonly at: readonly number[];
  readonly devices: readonly Readonly<DeviceRecord>[];
}

interface Kept {
  at: number;
  /** The record it was written from, and what of it the connectivity is told from. */
  device: Readonly<DeviceRecord>;
  lastSeen: string | undefined;
  status: Connectivity;
  /** The record changed since (`changed`): written again at its next use. */
  stale: boolean;
  bytes: Buffer;
}

/** A GeoJSON FeatureCollection's UTF-8 up to its first feature (the map's answers written as bytes). */
export const collectionOpen = Buffer.from('{"type":"FeatureCollection","features":[');
const comma = Buffer.from(',');

/**
 * Devices' features written as UTF-8 JSON (`/map`), kept per device for at most `most` devices at
 * once (the earliest written going first) and written again only when the device's record changed or
 * its connectivity did: a device heard from every minute answers thousands of map requests between
 * two readings. Kept by position in the map's devices and forgotten when the registry tells of a
 * change (`changed`, from `followChanges`), so a kept feature costs its lookup and its record's
 * identity, not a check of every field it was made of (those checks were a sixth of the main thread
 * under the region bench's `/map`). Byte for byte `JSON.stringify` of the features (`deviceFeature`).
 */
export class DeviceFeatures {
  private readonly most: number;
  private readonly byAt = new Map<number, Kept>();
  private readonly byId = new Map<string, Kept>();
  private featuresWritten = 0;

  constructor(most: number) {
    this.most = most;
  }

  /** The records changed: their features are written again when next asked for. */
  changed(devices: readonly Readonly<DeviceRecord>[]): void {
    // Stryker disable next-line ConditionalExpression: a shortcut (each reading's batch, most of the time nothing kept)
    if (this.byId.size === 0) return;
    for (const device of devices) {
      const kept = this.byId.get(device.id);
      if (kept !== undefined) kept.stale = true;
    }
  }

  /**
   * The feature of the device at position `at`, with its connectivity now: as kept, or written again;
   * none for a device not located (its record read only then: a kept one was located when written).
   */
  private featureOf(at: number, d: Readonly<DeviceRecord>, connectivity: ConnectivityOf): Buffer | undefined {
    const kept = this.byAt.get(at);
    if (kept !== undefined && kept.device === d && !kept.stale && connectivity(kept) === kept.status)
      return kept.bytes;
    if (!isLocated(d)) return undefined;
    this.featuresWritten++;
    const status = connectivity(d);
    const bytes = Buffer.from(JSON.stringify(deviceFeature(d, status)));
    this.keep({ at, device: d, lastSeen: d.lastSeen, status, stale: false, bytes });
    return bytes;
  }

  /**
   * Keeps a feature as the newest, in place of what was kept at its position or of its device: each
   * position and each device has one feature at most, kept in both maps.
   */
  private keep(kept: Kept): void {
    for (const earlier of [this.byAt.get(kept.at), this.byId.get(kept.device.id)])
      if (earlier !== undefined) this.forget(earlier);
    this.byAt.set(kept.at, kept);
    this.byId.set(kept.device.id, kept);
    if (this.byAt.size > this.most) this.forget(this.byAt.values().next().value as Kept);
  }

  private forget(kept: Kept): void {
    this.byAt.delete(kept.at);
    this.byId.delete(kept.device.id);
  }

  /**
   * The located ones of the devices as a GeoJSON FeatureCollection's UTF-8 JSON, in parts (the kept
   * features' own bytes, not copied), each with its connectivity now, with foreign members (`extra`,
   * JSON values) after the features.
   */
  collection(found: Placed, connectivity: ConnectivityOf, extra: Record<string, unknown> = {}): Buffer[] {
    const parts: Buffer[] = [collectionOpen];
    const { at, devices } = found;
    for (let i = 0; i < devices.length; i++) {
      const feature = this.featureOf(at[i] as number, devices[i] as Readonly<DeviceRecord>, connectivity);
      if (feature === undefined) continue;
      if (parts.length > 1) parts.push(comma);
      parts.push(feature);
    }
    const members = Object.entries(extra).map(
      ([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`,
    );
    parts.push(Buffer.from(`]${members.join('')}}`));
    return parts;
  }

  /** How many devices' features are kept. */
  get size(): number {
    return this.byAt.size;
  }

  /** How many features were written (not taken as kept) since it was made. */
  get written(): number {
    return this.featuresWritten;
  }
}
