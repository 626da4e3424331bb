import type { Feature, Point } from 'geojson';
import Supercluster from 'supercluster';
import type { Bbox } from './bbox.ts';
import { type MapState, mapStates, rankOf, worstOf, zeroCounts } from './map-state.ts';

/** A located device, as the map clusters it. */
export interface MapDevice {
  id: string;
  kind: string;
  district: string;
  lon: number;
  lat: number;
  /** Its slot in the device states' codes. */
  slot: number;
}

/** Each device's state by slot, as a rank in `mapStates` (DeviceStates). */
export interface StateCodes {
  readonly codes: Uint8Array;
}

/** Leaves carry their device's index; clusters the indexes of every device under them. */
type LeafProps = { i: number };
type ClusterProps = { m: Int32Array };

export type ClusterFeature = Feature<
  Point,
  | {
      cluster: true;
      id: number;
      count: number;
      states: Record<MapState, number>;
      worst: MapState;
      expansionZoom: number;
    }
  | { cluster: false; id: string; kind: string; district: string; state: MapState }
>;

/** Clustering: 60 px radius on 512 px tiles; above zoom 16 every device stands alone. */
export const clusterOptions = { radius: 60, extent: 512, maxZoom: 16 } as const;

function concat(a: Int32Array, b: Int32Array): Int32Array {
  const joined = new Int32Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

/**
 * The clusters of a fixed set of devices (`supercluster`), built once: devices do not move. Each
 * cluster remembers which devices it holds, so that its state counts are counted when asked from
 * the states of now; a change of state never rebuilds the index.
 */
export class ClusterIndex {
  readonly devices: readonly MapDevice[];
  private readonly slots: Int32Array;
  /** Expansion zooms asked for so far: the clusters never change, nor do they. */
  private readonly expansion = new Map<number, number>();
  private readonly index: Supercluster<LeafProps, ClusterProps>;

  constructor(devices: readonly MapDevice[]) {
    this.devices = devices;
    this.slots = Int32Array.from(devices, (d) => d.slot);
    this.index = new Supercluster<LeafProps, ClusterProps>({
      ...clusterOptions,
      map: (props) => ({ m: Int32Array.of((props as LeafProps).i) }),
      reduce: (acc, props) => {
        acc.m = concat(acc.m, props.m);
      },
    });
    this.index.load(
      devices.map((d, i) => ({
        type: 'Feature' as const,
        geometry: { type: 'Point' as const, coordinates: [d.lon, d.lat] },
        properties: { i },
      })),
    );
  }

  /**
   * The clusters and lone devices in the box at a zoom, with each cluster's state counts and worst
   * state, counted from the states of now (`states`). With `only`, just the devices in that state:
   * clusters count only those, a cluster holding one of them is that device, one holding none is
   * left out.
   */
  clusters(bbox: Bbox, zoom: number, states: StateCodes, only?: MapState): ClusterFeature[] {
    const codes = states.codes;
    const slots = this.slots;
    const wanted = only === undefined ? -1 : rankOf(only);
    const features: ClusterFeature[] = [];
    const tally = new Int32Array(mapStates.length);
    for (const found of this.index.getClusters(bbox, zoom)) {
      const props = found.properties as Partial<ClusterProps & LeafProps> & { cluster_id?: number };
      const members = props.m;
      if (members === undefined || props.cluster_id === undefined) {
        const i = props.i as number;
        const code = codes[slots[i] as number] as number;
        if (wanted < 0 || code === wanted) features.push(this.leaf(i, code));
        continue;
      }
      tally.fill(0);
      let lone = -1;
      for (let j = 0; j < members.length; j++) {
        const i = members[j] as number;
        const code = codes[slots[i] as number] as number;
        tally[code] = (tally[code] as number) + 1;
        if (code === wanted) lone = i;
      }
      const count = wanted < 0 ? members.length : (tally[wanted] as number);
      if (count === 0) continue;
      if (wanted >= 0 && count === 1) {
        features.push(this.leaf(lone, wanted));
        continue;
      }
      const states = zeroCounts();
      mapStates.forEach((state, code) => {
        if (wanted < 0 || code === wanted) states[state] = tally[code] as number;
      });
      features.push({
        type: 'Feature',
        id: props.cluster_id,
        geometry: found.geometry,
        properties: {
          cluster: true,
          id: props.cluster_id,
          count,
          states,
          worst: worstOf(states),
          expansionZoom: this.expansionZoom(props.cluster_id),
        },
      });
    }
    return features;
  }

  private expansionZoom(clusterId: number): number {
    let zoom = this.expansion.get(clusterId);
    if (zoom === undefined) {
      zoom = this.index.getClusterExpansionZoom(clusterId);
      this.expansion.set(clusterId, zoom);
    }
    return zoom;
  }

  /** The indexes (into `devices`) of every device in the box. */
  within(bbox: Bbox): number[] {
    return this.index.getClusters(bbox, clusterOptions.maxZoom + 1).map((f) => (f.properties as LeafProps).i);
  }

  private leaf(i: number, code: number): ClusterFeature {
    const device = this.devices[i] as MapDevice;
    const state = mapStates[code] as MapState;
    return {
      type: 'Feature',
      id: device.id,
      geometry: { type: 'Point', coordinates: [device.lon, device.lat] },
      properties: { cluster: false, id: device.id, kind: device.kind, district: device.district, state },
    };
  }
}
