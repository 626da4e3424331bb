import type { Feature, Point } from 'geojson';
import type { DeviceRecord } from '../registry/store.ts';
import { keep } from './kept.ts';
import { type MapState, mapStates } from './map-state.ts';

/** A device standing alone on the map, as the clusters answer gives it. */
export type LoneFeature = Feature<
  Point,
  { cluster: false; id: string; kind: string; district: string; state: MapState }
>;

type Identity = Pick<Readonly<DeviceRecord>, 'id' | 'kind' | 'district'>;

/** A lone device's feature at a position, in a state. */
export function loneFeature(device: Identity, lon: number, lat: number, state: MapState): LoneFeature {
  const { id, kind, district } = device;
  return {
    type: 'Feature',
    id,
    geometry: { type: 'Point', coordinates: [lon, lat] },
    properties: { cluster: false, id, kind, district, state },
  };
}

interface Kept {
  /** What the text was made of. */
  device: Identity;
  kind: string;
  district: string;
  lon: number;
  lat: number;
  /** The feature's bytes by state code, as asked for. */
  bytes: (Buffer | undefined)[];
}

/**
 * Lone devices' features as UTF-8 bytes of JSON, each a comma and then exactly what
 * `JSON.stringify(loneFeature(...))` makes, kept per device and state: a viewport of streets is
 * thousands of lone devices, whose id, position, kind, district and state change far less often
 * than they are asked for. As bytes, an answer is one copy of them (`Buffer.concat`): joining them
 * as text and encoding that took three times as long, and serialising them most of such an answer's
 * time. Kept by position in the map's located devices, checked on every use against what they were
 * made of (the record itself, its kind and district, the position); at most `most` devices at once,
 * the earliest kept going first.
 */
export class LoneTexts {
  private readonly most: number;
  private readonly kept = new Map<number, Kept>();

  constructor(most: number) {
    this.most = most;
  }

  /** `,` and the feature of the device at position `at` (of `lon`, `lat`) in the state of code `code`. */
  bytes(at: number, device: Identity, lon: number, lat: number, code: number): Buffer {
    let kept = this.kept.get(at);
    if (
      kept === undefined ||
      kept.device !== device ||
      kept.kind !== device.kind ||
      kept.district !== device.district ||
      kept.lon !== lon ||
      kept.lat !== lat
    ) {
      const { kind, district } = device;
      kept = { device, kind, district, lon, lat, bytes: [] };
      keep(this.kept, at, kept, this.most);
    }
    let bytes = kept.bytes[code];
    if (bytes === undefined) {
      const state = mapStates[code];
      if (state === undefined) throw new Error(`lone device ${device.id}: no map state of code ${code}`);
      bytes = Buffer.from(`,${JSON.stringify(loneFeature(device, lon, lat, state))}`);
      kept.bytes[code] = bytes;
    }
    return bytes;
  }

  get size(): number {
    return this.kept.size;
  }

  clear(): void {
    this.kept.clear();
  }
}
