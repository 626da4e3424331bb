import type { DeviceKind } from '../../shared/kinds/index.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import type { Bbox } from './bbox.ts';
import { ClusterIndex, isLone, type LocatedDevices } from './cluster-index.ts';
import { collectionOpen, DeviceFeatures } from './device-features.ts';
import type { DeviceStates } from './device-states.ts';
import { districtOutlines, type OutlineMaker } from './districts.ts';
import { KindTrees } from './kind-trees.ts';
import { LoneTexts } from './lone-texts.ts';
import type { MapState } from './map-state.ts';
import { outlinesInThread } from './outlines-thread.ts';

/** A clusters answer: how many features, and (made when asked) its JSON as UTF-8 bytes, in parts. */
export interface MapClusters {
  count: number;
  json(): Buffer[];
}

/** What of the registry the map reads: its records, their connectivity, and when they change. */
export type MapRegistry = Pick<DeviceRegistry, 'records' | 'size' | 'connectivity' | 'followChanges'>;

export interface MapFilter {
  kind?: DeviceKind;
  district?: string;
}

/** Cluster indexes kept for this many districts (and the whole fleet's); the oldest used goes first. */
const maxIndexes = 24;

const collectionClose = Buffer.from(']}');

/** Lone devices' feature texts kept (~200 B each): a few users' worth of street-level viewports. */
const maxLoneTexts = 50_000;

/** Devices' whole features kept for `/map` (~300 B each): as many users' viewports, at a page each. */
const maxKeptFeatures = 50_000;

/** The devices in a box, at most a page of them: their records and positions, and how many there are. */
export interface DevicesWithin {
  total: number;
  devices: Readonly<DeviceRecord>[];
  at: number[];
}

/**
 * The map's answers over the located devices: clusters, district outlines, the devices in a box.
 * Devices do not move, so each index is built once (for the whole fleet at start, for a district on
 * its first use) and again only when the registry learns devices; a kind or a state is counted
 * within the index's clusters (as the state is, live), not clustered apart.
 */
export class DeviceMap {
  private readonly registry: MapRegistry;
  private readonly states: DeviceStates;
  private readonly indexes = new Map<string, ClusterIndex>();
  private readonly loneTexts = new LoneTexts(maxLoneTexts);
  private readonly features = new DeviceFeatures(maxKeptFeatures);
  private located?: {
    size: number;
    devices: LocatedDevices;
    kindTrees: KindTrees;
    outlines?: ReturnType<typeof districtOutlines>;
    bounds?: Bbox | null;
  };

  constructor(registry: MapRegistry, states: DeviceStates) {
    this.registry = registry;
    this.states = states;
    // A record changed (a reading, another node's save, the fleet files): its kept texts go.
    registry.followChanges((devices) => {
      this.features.changed(devices);
      this.loneTexts.changed(devices);
    });
    // The indexes count their clusters' states by block: each change is told to those kept.
    states.follow((slot, from, to) => {
      for (const index of this.indexes.values()) index.stateChanged(slot, from, to);
    });
  }

  private devices(): LocatedDevices {
    if (this.located?.size !== this.registry.size) {
      const most = this.registry.size;
      const records: LocatedDevices['records'][number][] = [];
      const lon = new Float64Array(most);
      const lat = new Float64Array(most);
      const slots = new Int32Array(most);
      let k = 0;
      let unswept = false;
      for (const d of this.registry.records()) {
        const slot = this.states.slotOf(d.id, k++);
        unswept ||= slot < 0;
        if (!d.location || slot < 0) continue;
        lon[records.length] = d.location.lon;
        lat[records.length] = d.location.lat;
        slots[records.length] = slot;
        records.push(d);
      }
      const n = records.length;
      const kinds = [...new Set(records.map((d) => d.kind))].sort();
      const kindOf = Uint8Array.from(records, (d) => kinds.indexOf(d.kind));
      const devices = {
        records,
        lon: lon.slice(0, n),
        lat: lat.slice(0, n),
        slots: slots.slice(0, n),
        kinds,
        kindOf,
      };
      // Devices the states have not swept in yet are left out until they have: made again then.
      this.located = { size: unswept ? -1 : this.registry.size, devices, kindTrees: new KindTrees(devices) };
      this.indexes.clear();
      this.loneTexts.clear();
    }
    return this.located.devices;
  }

  /** The index of a district's devices, or of every device; a kind is counted within it (`ClusterFilter`). */
  private index(district: string | undefined): ClusterIndex {
    const devices = this.devices();
    const key = district ?? '';
    let index = this.indexes.get(key);
    if (index) this.indexes.delete(key);
    else {
      const members: number[] = [];
      devices.records.forEach((d, at) => {
        if (district === undefined || d.district === district) members.push(at);
      });
      index = new ClusterIndex(devices, Int32Array.from(members), this.states);
    }
    this.indexes.set(key, index);
    if (this.indexes.size > maxIndexes) this.indexes.delete(this.indexes.keys().next().value as string);
    return index;
  }

  /**
   * The clusters and lone devices in the box at a zoom (`ClusterIndex.clusters`): how many, and
   * their GeoJSON FeatureCollection (RFC 7946) as UTF-8 JSON, each cluster's feature from
   * `JSON.stringify`, each lone device's from `LoneTexts` (the same text, kept as bytes).
   */
  clusters(bbox: Bbox, zoom: number, filter: MapFilter & { state?: MapState }): MapClusters {
    const index = this.index(filter.district);
    const { records } = index.located;
    const found = index.clusters(bbox, zoom, this.states, filter);
    const json = () => {
      // Each feature's bytes start with a comma: the first one's is left out (a view, not a copy).
      const parts: Buffer[] = [collectionOpen];
      for (const f of found) {
        if (!isLone(f)) parts.push(Buffer.from(`,${JSON.stringify(f)}`));
        else {
          const device = records[f.at] as LocatedDevices['records'][number];
          parts.push(this.loneTexts.bytes(f.at, device, index.located, f.code));
        }
      }
      if (parts.length > 1) parts[1] = (parts[1] as Buffer).subarray(1);
      parts.push(collectionClose);
      return parts;
    };
    return { count: found.length, json };
  }

  /**
   * The records of the devices in the box passing the filter (the registry's, as they are: not to be
   * changed), at most `limit` of them, and how many there are.
   */
  async within(bbox: Bbox, filter: MapFilter, limit: number): Promise<DevicesWithin> {
    if (filter.kind !== undefined) {
      // Of a kind: that kind's own tree, in degrees as they are (no widening, no check after).
      const devices = this.devices();
      const { kindTrees } = this.located as NonNullable<typeof this.located>;
      const kind = devices.kinds.indexOf(filter.kind);
      return pageOf(devices.records, kind >= 0 ? await kindTrees.within(kind, bbox) : [], filter, limit);
    }
    const index = this.index(undefined);
    return pageOf(index.located.records, index.within(bbox), filter, limit);
  }

  /**
   * The devices in the box passing the filter, at most `limit` of them (`within`), as a GeoJSON
   * FeatureCollection's UTF-8 JSON in parts (`DeviceFeatures`: each feature kept until its record
   * changes), with how many match and how many are returned (OGC API Features' `numberMatched` and
   * `numberReturned`).
   */
  async featuresWithin(bbox: Bbox, filter: MapFilter, limit: number): Promise<Buffer[]> {
    return this.featuresOf(await this.within(bbox, filter, limit));
  }

  /** The devices found by `within` as `featuresWithin` answers them. */
  featuresOf(found: DevicesWithin): Buffer[] {
    return this.features.collection(found, this.registry.connectivity(), {
      numberMatched: found.total,
      numberReturned: found.devices.length,
    });
  }

  /**
   * District outlines, generated once from the located devices (`districtOutlines`: their points in
   * turns of the event loop, the hulls by `make`): a request made meanwhile waits for them. A failure
   * is not kept: the next request tries again.
   */
  districts(make: OutlineMaker = outlinesInThread): ReturnType<typeof districtOutlines> {
    const devices = this.devices();
    const located = this.located as NonNullable<typeof this.located>;
    if (!located.outlines) {
      const outlines = districtOutlines(devices, { make });
      located.outlines = outlines;
      outlines.catch(() => {
        if (located.outlines === outlines) located.outlines = undefined;
      });
    }
    return located.outlines;
  }

  /** [west, south, east, north] of the located devices; null when none is located. */
  bounds(): Bbox | null {
    const devices = this.devices();
    const located = this.located as NonNullable<typeof this.located>;
    if (located.bounds === undefined) {
      let [w, s, e, n] = [180, 90, -180, -90];
      for (let at = 0; at < devices.lon.length; at++) {
        w = Math.min(w, devices.lon[at] as number);
        e = Math.max(e, devices.lon[at] as number);
        s = Math.min(s, devices.lat[at] as number);
        n = Math.max(n, devices.lat[at] as number);
      }
      located.bounds = devices.lon.length > 0 ? [w, s, e, n] : null;
    }
    return located.bounds;
  }

  /**
   * Builds the whole fleet's index and the district outlines now (at start), so that no request waits
   * for them: the index while a thread of its own makes the outlines' hulls (`outlinesInThread`). The
   * outlines are waited for: made behind a region's first requests instead (on the main thread),
   * they took its RSS over the limit in two API bench runs of four (1.2 and 1.6 GB).
   */
  async warm(): Promise<void> {
    await this.districts((districts) => {
      const made = outlinesInThread(districts);
      this.index(undefined);
      return made;
    });
    // Outlines made before (a warm after a failure, say) called no maker: the index is built here.
    this.index(undefined);
  }
}

/**
 * The records at `positions` in the filter's district (if any), at most `limit` of them, and how many
 * there are. A record is read only to check its district or to be on the page: a street's box holds
 * thousands of devices beyond a page of 1,000, and reading each one's place in the records only to
 * count it was a memory load apiece (a tenth of the main thread under the region bench's `/map`).
 */
function pageOf(
  records: LocatedDevices['records'],
  positions: readonly number[],
  filter: MapFilter,
  limit: number,
): DevicesWithin {
  if (filter.district === undefined) {
    const at = positions.slice(0, limit);
    return {
      total: positions.length,
      devices: at.map((k) => records[k] as LocatedDevices['records'][number]),
      at,
    };
  }
  const devices: Readonly<DeviceRecord>[] = [];
  const at: number[] = [];
  let total = 0;
  for (const k of positions) {
    const device = records[k] as LocatedDevices['records'][number];
    if (device.district !== filter.district) continue;
    if (total++ < limit) {
      devices.push(device);
      at.push(k);
    }
  }
  return { total, devices, at };
}
