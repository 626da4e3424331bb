import type { Feature, Point } from 'geojson';
import type { DeviceRecord } from '../registry/store.ts';
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

/** How each state's text ends a lone device's feature (`state` is its last property). */
const closings = mapStates.map((state) => `,"state":${JSON.stringify(state)}}}`);
const okClosing = closings[0] as string;

interface Kept {
  /** What the text was made of. */
  device: Identity;
  kind: string;
  district: string;
  lon: number;
  lat: number;
  /** The feature's text up to its state. */
  head: string;
  /** The whole text, by state code, as asked for. */
  whole: (string | undefined)[];
}

/**
 * Lone devices' features as JSON text, each exactly what `JSON.stringify(loneFeature(...))` makes,
 * kept per device but for its state: a viewport of streets is thousands of lone devices, whose
 * id, position, kind and district change far less often than they are asked for (serialising
 * them was most of such an answer's time). Kept by position in the map's located devices, and
 * checked on every use against what it was made of (the record itself, its kind and district, the
 * position); at most `most` at once, the earliest kept going first.
 */
export class LoneTexts {
  private readonly most: number;
  private readonly kept = new Map<number, Kept>();

  constructor(most: number) {
    this.most = most;
  }

  /** The feature of the device at position `at` (of `lon`, `lat`) in the state of code `code`. */
  text(at: number, device: Identity, lon: number, lat: number, code: number): string {
    let kept = this.kept.get(at);
    if (
      kept === undefined ||
      kept.device !== device ||
      kept.kind !== device.kind ||
      kept.district !== device.district ||
      kept.lon !== lon ||
      kept.lat !== lat
    ) {
      const whole = JSON.stringify(loneFeature(device, lon, lat, 'ok'));
      const { kind, district } = device;
      kept = { device, kind, district, lon, lat, head: whole.slice(0, -okClosing.length), whole: [] };
      this.kept.delete(at);
      this.kept.set(at, kept);
      if (this.kept.size > this.most) this.kept.delete(this.kept.keys().next().value as number);
    }
    let text = kept.whole[code];
    if (text === undefined) {
      const closing = closings[code];
      if (closing === undefined) throw new Error(`lone device ${device.id}: no map state of code ${code}`);
      text = kept.head + closing;
      // Flattened once here (a concatenation is a rope until read), not at every answer's join.
      text = text.concat('');
      kept.whole[code] = text;
    }
    return text;
  }

  get size(): number {
    return this.kept.size;
  }

  clear(): void {
    this.kept.clear();
  }
}
