import type { Feature, Point } from 'geojson';
import type { DeviceRecord } from '../registry/store.ts';
import { KeptByPosition } from './kept.ts';
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

/** Positions by position in the map's devices (`LocatedDevices`' columns). */
interface Positions {
  readonly lon: Float64Array;
  readonly lat: Float64Array;
}

/**
 * Lone devices' features as UTF-8 bytes of JSON, each a comma and then exactly what
 * `JSON.stringify(loneFeature(...))` makes, kept per device and state: a viewport of streets is
 * thousands of lone devices, whose id, kind, district and state change far less often than they are
 * asked for. As bytes, an answer is one copy of them (`Buffer.concat`): joining them as text and
 * encoding that took three times as long, and serialising them most of such an answer's time. Kept
 * by position in the map's located devices (`KeptByPosition`: forgotten when the registry tells of a
 * change to the record, `changed`, and all of them when the map's devices are made again, `clear`,
 * which is when positions move); at most `most` devices at once, the earliest kept going first.
 */
export class LoneTexts {
  private readonly kept: KeptByPosition<(Buffer | undefined)[]>;

  constructor(most: number) {
    this.kept = new KeptByPosition(most);
  }

  /**
   * `,` and the feature of the device at position `at` in the state of code `code`, its position read
   * from `positions` when it is written.
   */
  bytes(at: number, device: Readonly<DeviceRecord>, positions: Positions, code: number): Buffer {
    let texts = this.kept.get(at, device);
    if (texts === undefined) {
      texts = [];
      this.kept.set(at, device, texts);
    }
    let bytes = texts[code];
    if (bytes === undefined) {
      const state = mapStates[code];
      if (state === undefined) throw new Error(`lone device ${device.id}: no map state of code ${code}`);
      const feature = loneFeature(device, positions.lon[at] as number, positions.lat[at] as number, state);
      bytes = Buffer.from(`,${JSON.stringify(feature)}`);
      texts[code] = bytes;
    }
    return bytes;
  }

  /** The records changed: their texts are made again when next asked for. */
  changed(devices: readonly Readonly<DeviceRecord>[]): void {
    this.kept.changed(devices);
  }

  get size(): number {
    return this.kept.size;
  }

  clear(): void {
    this.kept.clear();
  }
}
