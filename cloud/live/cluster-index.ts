import type { Feature, Point } from 'geojson';
import Supercluster, { type PointFeature } from 'supercluster';
import type { DeviceRecord } from '../registry/store.ts';
import { type Bbox, inBbox, narrow, widen } from './bbox.ts';
import { ClusterRanges, pointsMarked } from './cluster-ranges.ts';
import { type MapState, mapStates, rankOf, worstOf, zeroCounts } from './map-state.ts';
import { StateTally } from './state-tally.ts';

/**
 * The located devices, by position: each one's record (id, kind, district), position and slot in the
 * device states' codes, in columns (no object per device: a region holds a million).
 */
export interface LocatedDevices {
  readonly records: readonly Readonly<DeviceRecord>[];
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  readonly slots: Int32Array;
  /** The kinds there are, and each device's as its place in them. */
  readonly kinds: readonly string[];
  readonly kindOf: Uint8Array;
}

/** What the clusters count: the devices of a kind, in a state (all when undefined). */
export interface ClusterFilter {
  kind?: string;
  state?: MapState;
}

/** Each device's state by slot, as a rank in `mapStates` (DeviceStates). */
export interface StateCodes {
  readonly codes: Uint8Array;
}

/** A cluster on the map, with its devices' state counts. */
export type ClusterFeature = Feature<
  Point,
  {
    cluster: true;
    id: number;
    count: number;
    states: Record<MapState, number>;
    worst: MapState;
    expansionZoom: number;
  }
>;

/** A device standing alone on the map: its position in `LocatedDevices` and its state's code (`mapStates`). */
export interface LoneDevice {
  readonly at: number;
  readonly code: number;
}

/** What a clusters answer holds: clusters, and lone devices (made into features only as bytes: `LoneTexts`). */
export type Found = ClusterFeature | LoneDevice;

export const isLone = (found: Found): found is LoneDevice => (found as LoneDevice).at !== undefined;

/** Degrees a box is widened by before the index is asked (~10 m: above its 32-bit rounding). */
const edgeMargin = 1e-4;

/** Clustering: 60 px radius on 512 px tiles; above zoom 16 every device stands alone. */
export const clusterOptions = { radius: 60, extent: 512, maxZoom: 16 } as const;

/**
 * The devices as supercluster's `load` reads them: it takes `length`, then reads each point once, in
 * order, keeping only its position and id; so one feature object moved along stands for them all
 * (a million features would be some 150 MB at once, per index).
 */
function asPoints(located: LocatedDevices, members: Int32Array): PointFeature<never>[] {
  const coordinates = [0, 0];
  const feature = {
    type: 'Feature' as const,
    id: 0,
    geometry: { type: 'Point' as const, coordinates },
    properties: null,
  };
  const points = {
    length: members.length,
    *[Symbol.iterator]() {
      for (let i = 0; i < members.length; i++) {
        const at = members[i] as number;
        feature.id = i;
        coordinates[0] = located.lon[at] as number;
        coordinates[1] = located.lat[at] as number;
        yield feature;
      }
    },
  };
  return points as unknown as PointFeature<never>[];
}

/**
 * The clusters of a fixed set of devices (`supercluster`), built once: devices do not move. Each
 * cluster's devices are a range of one list (`ClusterRanges`), whose state counts are kept by block
 * (`StateTally`, told each change of state: `stateChanged`) and counted when asked; a change of
 * state never rebuilds the index.
 */
export class ClusterIndex {
  /** The devices it was built over (positions in it are what `LoneDevice.at` gives). */
  readonly located: LocatedDevices;
  /** The devices it clusters, as positions in `located`: point i is members[i]. */
  private readonly members: Int32Array;
  private readonly ranges: ClusterRanges;
  /** The devices' states over the order of `ranges`. */
  private readonly tally: StateTally;
  /** Expansion zooms asked for so far: the clusters never change, nor do they. */
  private readonly expansion = new Map<number, number>();
  /** Lone devices' features carry their point index (into `members`) as their id. */
  private readonly index: Supercluster<never, never>;

  /** `states`: the devices' states now; each change after this is to be told (`stateChanged`). */
  constructor(located: LocatedDevices, members: Int32Array, states: StateCodes) {
    this.located = located;
    this.members = members;
    this.index = new Supercluster<never, never>(clusterOptions);
    this.index.load(asPoints(located, members));
    this.ranges = new ClusterRanges(this.index);
    const order = this.ranges.order;
    const slots = new Int32Array(order.length);
    const kinds = new Uint8Array(order.length);
    for (let k = 0; k < order.length; k++) {
      const at = members[order[k] as number] as number;
      slots[k] = located.slots[at] as number;
      kinds[k] = located.kindOf[at] as number;
    }
    this.tally = new StateTally(slots, kinds, located.kinds.length, states.codes);
  }

  /** The device in `slot` went from one state to another (ranks in `mapStates`). */
  stateChanged(slot: number, from: number, to: number): void {
    this.tally.changed(slot, from, to);
  }

  /**
   * The clusters and lone devices in the box at a zoom, with each cluster's state counts and worst
   * state, counted from the states of now (`states`). Filtered (a kind, a state), only the devices
   * passing it: clusters count only those, a cluster holding one of them is that device, one holding
   * none is left out. Past the last clustering zoom every device stands alone, and they are read
   * from the points' tree directly (no feature made per device: a street's viewport holds thousands).
   */
  clusters(bbox: Bbox, zoom: number, states: StateCodes, filter: ClusterFilter = {}): Found[] {
    const { lon, lat } = this.located;
    const codes = states.codes;
    const code = filter.state === undefined ? undefined : rankOf(filter.state);
    const group = filter.kind === undefined ? undefined : this.located.kinds.indexOf(filter.kind);
    if (group === -1) return [];
    const filtered = code !== undefined || group !== undefined;
    const features: Found[] = [];
    /** A lone device, if it passes the filter; `checked`: it is in the box (else its position is checked). */
    const lone = (at: number, checked: boolean) => {
      if (!checked && !inBbox(bbox, lon[at] as number, lat[at] as number)) return;
      const its = codes[this.located.slots[at] as number] as number;
      if ((code === undefined || its === code) && (group === undefined || this.located.kindOf[at] === group))
        features.push({ at, code: its });
    };
    if (zoom > clusterOptions.maxZoom) {
      for (const at of this.within(bbox)) lone(at, true);
      return features;
    }
    // Widened, the box finds every cluster and device in it (supercluster rounds positions); a lone
    // device is then checked against its exact position.
    const tally = new Int32Array(mapStates.length);
    for (const found of this.index.getClusters(widen(bbox, edgeMargin), zoom)) {
      const props = found.properties as { cluster_id?: number; point_count?: number } | null;
      if (props?.cluster_id === undefined || props.point_count === undefined) {
        lone(this.members[found.id as number] as number, false);
        continue;
      }
      const start = this.ranges.startOf(props.cluster_id);
      const end = start + props.point_count;
      this.tally.count(start, end, codes, tally, group);
      const count = code === undefined ? tally.reduce((sum, n) => sum + n, 0) : (tally[code] as number);
      if (count === 0) continue;
      if (filtered && count === 1) {
        const at = this.members[this.ranges.order[this.tally.find(start, end, codes, code, group)] as number];
        if (inBbox(bbox, lon[at as number] as number, lat[at as number] as number))
          features.push({
            at: at as number,
            code: codes[this.located.slots[at as number] as number] as number,
          });
        continue;
      }
      const counts = zeroCounts();
      mapStates.forEach((state, c) => {
        if (code === undefined || c === code) counts[state] = tally[c] as number;
      });
      features.push({
        type: 'Feature',
        id: props.cluster_id,
        geometry: found.geometry,
        properties: {
          cluster: true,
          id: props.cluster_id,
          count,
          states: counts,
          worst: worstOf(counts),
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

  /**
   * The positions (in `located`) of every device in the box, edges included: the box widened finds
   * them all (supercluster rounds positions), and only those beyond its narrowed edges are checked
   * against their exact positions (`pointsMarked`: a street's box holds thousands of devices, each
   * check a memory load into a million devices' positions).
   */
  within(bbox: Bbox): number[] {
    const { lon, lat } = this.located;
    const inBox: number[] = [];
    for (const point of pointsMarked(this.index, widen(bbox, edgeMargin), narrow(bbox, edgeMargin))) {
      if (point >= 0) inBox.push(this.members[point] as number);
      else {
        const at = this.members[-point - 1] as number;
        if (inBbox(bbox, lon[at] as number, lat[at] as number)) inBox.push(at);
      }
    }
    return inBox;
  }
}
