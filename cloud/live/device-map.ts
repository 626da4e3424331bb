import type { DeviceKind } from '../../shared/kinds/index.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { type Bbox, inBbox, widen } from './bbox.ts';
import { type ClusterFeature, ClusterIndex, type MapDevice } from './cluster-index.ts';
import type { DeviceStates } from './device-states.ts';
import { districtOutlines } from './districts.ts';
import type { MapState } from './map-state.ts';

export interface MapFilter {
  kind?: DeviceKind;
  district?: string;
}

/** Degrees a box is widened by before the index is asked (~10 m: above its 32-bit rounding). */
const edgeMargin = 1e-4;

/** Cluster indexes kept for this many filters (kind × district); the oldest used goes first. */
const maxIndexes = 24;

/**
 * The map's answers over the located devices: clusters per filter, district outlines, the devices
 * in a box. Devices do not move, so each index is built once (for the whole fleet at start, for a
 * filter on its first use) and again only when the registry learns devices; states are read live.
 */
export class DeviceMap {
  private readonly registry: Pick<DeviceRegistry, 'records' | 'size'>;
  private readonly states: DeviceStates;
  private readonly indexes = new Map<string, ClusterIndex>();
  private located?: {
    size: number;
    devices: MapDevice[];
    outlines?: ReturnType<typeof districtOutlines>;
    bounds?: Bbox | null;
  };

  constructor(registry: Pick<DeviceRegistry, 'records' | 'size'>, states: DeviceStates) {
    this.registry = registry;
    this.states = states;
    // The indexes count their clusters' states by block: each change is told to those kept.
    states.follow((slot, from, to) => {
      for (const index of this.indexes.values()) index.stateChanged(slot, from, to);
    });
  }

  private devices(): MapDevice[] {
    if (this.located?.size !== this.registry.size) {
      const devices: MapDevice[] = [];
      for (const d of this.registry.records()) {
        const slot = this.states.slotOf(d.id);
        if (d.location && slot >= 0)
          devices.push({
            id: d.id,
            kind: d.kind,
            district: d.district,
            lon: d.location.lon,
            lat: d.location.lat,
            slot,
          });
      }
      this.located = { size: this.registry.size, devices };
      this.indexes.clear();
    }
    return this.located.devices;
  }

  private index(filter: MapFilter): ClusterIndex {
    const devices = this.devices();
    const key = `${filter.kind ?? ''}\u0000${filter.district ?? ''}`;
    let index = this.indexes.get(key);
    if (index) this.indexes.delete(key);
    else
      index = new ClusterIndex(
        devices.filter(
          (d) =>
            (filter.kind === undefined || d.kind === filter.kind) &&
            (filter.district === undefined || d.district === filter.district),
        ),
        this.states,
      );
    this.indexes.set(key, index);
    if (this.indexes.size > maxIndexes) this.indexes.delete(this.indexes.keys().next().value as string);
    return index;
  }

  clusters(bbox: Bbox, zoom: number, filter: MapFilter & { state?: MapState }): ClusterFeature[] {
    const found = this.index(filter).clusters(widen(bbox, edgeMargin), zoom, this.states, filter.state);
    // Lone devices are where they are: those just outside the box, found by the widening, go.
    return found.filter(
      (f) => f.properties.cluster || inBbox(bbox, ...(f.geometry.coordinates as [number, number])),
    );
  }

  /**
   * The ids of the devices in the box passing the filter, and how many there are, at most `limit` of
   * them; asked of the kind's index for a kind (kept from the start), so that only its devices are walked.
   */
  within(bbox: Bbox, filter: MapFilter, limit: number): { total: number; ids: string[] } {
    const index = this.index(filter.kind === undefined ? {} : { kind: filter.kind });
    const ids: string[] = [];
    let total = 0;
    for (const i of index.within(widen(bbox, edgeMargin))) {
      const d = index.devices[i] as MapDevice;
      if (!inBbox(bbox, d.lon, d.lat)) continue;
      if (filter.kind !== undefined && d.kind !== filter.kind) continue;
      if (filter.district !== undefined && d.district !== filter.district) continue;
      if (total++ < limit) ids.push(d.id);
    }
    return { total, ids };
  }

  /** District outlines, generated once from the located devices. */
  districts() {
    const devices = this.devices();
    const located = this.located as NonNullable<typeof this.located>;
    located.outlines ??= districtOutlines(devices);
    return located.outlines;
  }

  /** [west, south, east, north] of the located devices; null when none is located. */
  bounds(): Bbox | null {
    const devices = this.devices();
    const located = this.located as NonNullable<typeof this.located>;
    if (located.bounds === undefined) {
      let [w, s, e, n] = [180, 90, -180, -90];
      for (const d of devices) {
        w = Math.min(w, d.lon);
        e = Math.max(e, d.lon);
        s = Math.min(s, d.lat);
        n = Math.max(n, d.lat);
      }
      located.bounds = devices.length > 0 ? [w, s, e, n] : null;
    }
    return located.bounds;
  }

  /** Builds the whole fleet's index, each kind's and the district outlines now (at start), so that no request waits for them. */
  warm(): void {
    for (const kind of new Set(this.devices().map((d) => d.kind))) this.index({ kind: kind as DeviceKind });
    this.index({});
    this.districts();
  }
}
