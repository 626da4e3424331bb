import { isHealthy } from '../dashboards/fleet-summary.ts';
import type { Connectivity } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { KeptByPosition } from './kept.ts';

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

/** A feature as written, and the last-seen time its connectivity was told from. */
interface Written {
  lastSeen: string | undefined;
  status: Connectivity;
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
  private readonly kept: KeptByPosition<Written>;
  private featuresWritten = 0;

  constructor(most: number) {
    this.kept = new KeptByPosition(most);
  }

  /** The records changed: their features are written again when next asked for. */
  changed(devices: readonly Readonly<DeviceRecord>[]): void {
    this.kept.changed(devices);
  }

  /**
   * The feature of the device at position `at`, with its connectivity now: as kept, or written again;
   * none for a device not located (its record read only then: a kept one was located when written).
   */
  private featureOf(at: number, d: Readonly<DeviceRecord>, connectivity: ConnectivityOf): Buffer | undefined {
    const kept = this.kept.get(at, d);
    if (kept !== undefined && connectivity(kept) === kept.status) return kept.bytes;
    if (!isLocated(d)) return undefined;
    this.featuresWritten++;
    const status = connectivity(d);
    const bytes = Buffer.from(JSON.stringify(deviceFeature(d, status)));
    this.kept.set(at, d, { lastSeen: d.lastSeen, status, bytes });
    return bytes;
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
    return this.kept.size;
  }

  /** How many features were written (not taken as kept) since it was made. */
  get written(): number {
    return this.featuresWritten;
  }
}
