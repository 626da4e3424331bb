import { isHealthy } from '../dashboards/fleet-summary.ts';
import type { Connectivity } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { keep } from './kept.ts';

type Located = Readonly<DeviceRecord> & { location: NonNullable<DeviceRecord['location']> };

const isLocated = (d: Readonly<DeviceRecord>): d is Located => d.location !== undefined;

/** What of a device's feature changes only with its record: what it is and where. */
function head(d: Located) {
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
    },
  };
}

/** What changes with readings and with time: connectivity, condition, last seen, latest values. */
function live(d: Located, status: Connectivity) {
  return {
    status,
    condition: status === 'offline' ? 'offline' : isHealthy(d) ? 'ok' : 'fault',
    lastSeen: d.lastSeen ?? null,
    latest: d.latest,
  };
}

/**
 * A located device's GeoJSON feature (RFC 7946: coordinates are [longitude, latitude]) with its
 * connectivity now: what `DeviceFeatures` writes, as an object.
 */
export function deviceFeature(d: Located, status: Connectivity) {
  const h = head(d);
  return { ...h, properties: { ...h.properties, ...live(d, status) } };
}

interface Kept {
  /** What the head was made of. */
  device: Readonly<DeviceRecord>;
  kind: string;
  district: string;
  gatewayId: string;
  name: string | undefined;
  lon: number;
  lat: number;
  /** The UTF-8 JSON of the feature up to its live properties (without its closing `}}`). */
  head: Buffer;
}

/** A GeoJSON FeatureCollection's UTF-8 up to its first feature (the map's answers written as bytes). */
export const collectionOpen = Buffer.from('{"type":"FeatureCollection","features":[');
const comma = Buffer.from(',');

/**
 * Devices' features written as UTF-8 JSON (`/map`): each one's head (id, position, kind, district,
 * gateway, name: most of its text, and of the time to write it) kept per device, checked on every use
 * against what it was made of, at most `most` devices at once (the earliest kept going first); the
 * live properties written each time. Byte for byte `JSON.stringify` of the features (`deviceFeature`).
 */
export class DeviceFeatures {
  private readonly most: number;
  private readonly kept = new Map<string, Kept>();

  constructor(most: number) {
    this.most = most;
  }

  private headOf(d: Located): Buffer {
    const { kind, district, gatewayId, name } = d;
    const { lon, lat } = d.location;
    const kept = this.kept.get(d.id);
    if (
      kept !== undefined &&
      kept.device === d &&
      kept.kind === kind &&
      kept.district === district &&
      kept.gatewayId === gatewayId &&
      kept.name === name &&
      kept.lon === lon &&
      kept.lat === lat
    )
      return kept.head;
    // The head's text ends with the properties' and the feature's `}}`: left off, the live part follows.
    const bytes = Buffer.from(JSON.stringify(head(d)).slice(0, -2));
    keep(this.kept, d.id, { device: d, kind, district, gatewayId, name, lon, lat, head: bytes }, this.most);
    return bytes;
  }

  /**
   * The located ones of the devices as a GeoJSON FeatureCollection's UTF-8 JSON, each with its
   * connectivity now, with foreign members (`extra`, JSON values) after the features.
   */
  collection(
    devices: readonly Readonly<DeviceRecord>[],
    connectivity: (device: Readonly<DeviceRecord>) => Connectivity,
    extra: Record<string, unknown> = {},
  ): Buffer {
    const parts: Buffer[] = [collectionOpen];
    for (const d of devices) {
      if (!isLocated(d)) continue;
      if (parts.length > 1) parts.push(comma);
      parts.push(this.headOf(d));
      // The live properties' text without its opening `{`, then the feature's closing `}`.
      parts.push(Buffer.from(`,${JSON.stringify(live(d, connectivity(d))).slice(1)}}`));
    }
    const members = Object.entries(extra).map(
      ([key, value]) => `,${JSON.stringify(key)}:${JSON.stringify(value)}`,
    );
    parts.push(Buffer.from(`]${members.join('')}}`));
    return Buffer.concat(parts);
  }

  get size(): number {
    return this.kept.size;
  }
}
