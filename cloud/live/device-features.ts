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
function liveOf(d: Located, status: Connectivity) {
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
  return { ...h, properties: { ...h.properties, ...liveOf(d, status) } };
}

/** A whole feature's bytes, and what its live part was written from. */
interface Whole {
  status: Connectivity;
  lastSeen: string | undefined;
  /** A copy of the latest values (the record's own object changes in place), and how many there were. */
  latest: DeviceRecord['latest'];
  count: number;
  bytes: Buffer;
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
  /** The feature as last written, head and live part. */
  whole?: Whole;
}

/** Whether `latest` holds exactly the `count` values of `copy`. */
function sameValues(latest: DeviceRecord['latest'], copy: DeviceRecord['latest'], count: number): boolean {
  let seen = 0;
  for (const key in latest) {
    if (latest[key] !== copy[key]) return false;
    seen++;
  }
  return seen === count;
}

/** A GeoJSON FeatureCollection's UTF-8 up to its first feature (the map's answers written as bytes). */
export const collectionOpen = Buffer.from('{"type":"FeatureCollection","features":[');
const comma = Buffer.from(',');

/**
 * Devices' features written as UTF-8 JSON (`/map`), kept per device for at most `most` devices at
 * once (the earliest kept going first): each one's head (id, position, kind, district, gateway, name:
 * most of its text) checked against what it was made of, and the whole feature, written again only
 * when its live part changed (connectivity, last seen, latest values: a device heard from every
 * minute answers thousands of map requests between two readings). Byte for byte `JSON.stringify` of
 * the features (`deviceFeature`).
 */
export class DeviceFeatures {
  private readonly most: number;
  private readonly kept = new Map<string, Kept>();
  private featuresWritten = 0;

  constructor(most: number) {
    this.most = most;
  }

  private keptOf(d: Located): Kept {
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
      return kept;
    // The head's text ends with the properties' and the feature's `}}`: left off, the live part follows.
    const bytes = Buffer.from(JSON.stringify(head(d)).slice(0, -2));
    const made: Kept = { device: d, kind, district, gatewayId, name, lon, lat, head: bytes };
    keep(this.kept, d.id, made, this.most);
    return made;
  }

  /** The device's whole feature with its connectivity now: as kept, or written again. */
  private featureOf(d: Located, status: Connectivity): Buffer {
    const kept = this.keptOf(d);
    const whole = kept.whole;
    if (
      whole !== undefined &&
      whole.status === status &&
      whole.lastSeen === d.lastSeen &&
      sameValues(d.latest, whole.latest, whole.count)
    )
      return whole.bytes;
    this.featuresWritten++;
    const latest = { ...d.latest };
    // The live properties' text without its opening `{`, then the feature's closing `}`.
    const live = Buffer.from(`,${JSON.stringify(liveOf(d, status)).slice(1)}}`);
    const bytes = Buffer.concat([kept.head, live]);
    kept.whole = { status, lastSeen: d.lastSeen, latest, count: Object.keys(latest).length, bytes };
    return bytes;
  }

  /**
   * The located ones of the devices as a GeoJSON FeatureCollection's UTF-8 JSON, in parts (the kept
   * features' own bytes, not copied), each with its connectivity now, with foreign members (`extra`,
   * JSON values) after the features.
   */
  collection(
    devices: readonly Readonly<DeviceRecord>[],
    connectivity: (device: Readonly<DeviceRecord>) => Connectivity,
    extra: Record<string, unknown> = {},
  ): Buffer[] {
    const parts: Buffer[] = [collectionOpen];
    for (const d of devices) {
      if (!isLocated(d)) continue;
      if (parts.length > 1) parts.push(comma);
      parts.push(this.featureOf(d, connectivity(d)));
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
