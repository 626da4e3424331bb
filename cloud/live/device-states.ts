import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertChangeKind } from '../alerts/schema.ts';
import type { Alert } from '../alerts/store.ts';
import { inTimedRuns } from '../lifecycle/timed-runs.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { DeviceIds, DeviceRecord } from '../registry/store.ts';
import { deriveState, type MapState, mapStates, rankOf } from './map-state.ts';

/**
 * Every this many sweeps one walks every device even when the registry reports its changes (a minute
 * at the default 2 s): a safety net. The tenant export test once found devices heard from still
 * offline on the map after two sweeps of the changes, for a reason not found yet.
 */
export const walkEvery = 30;

export interface DeviceStatesOptions {
  registry: Pick<DeviceRegistry, 'records' | 'connectivity' | 'connectivityChanges' | 'size'>;
  /** A device's state changed (not called for the states found at start). */
  onChange: (id: string, state: MapState) => void;
}

/**
 * Every device's map state, kept up to date incrementally: alert changes move one device at once;
 * connectivity (which changes with time, not with an event) is swept with `sweep()`, which the
 * feature calls every few seconds. Nothing is recomputed per request. Each device has a slot, given
 * in the order the registry first yields it; what is kept per device is a byte or two in arrays by
 * slot (no object per device: a region holds a million), and the open alerts of the few that have any.
 */
export class DeviceStates {
  private readonly options: DeviceStatesOptions;
  private readonly slots = new Map<string, number>();
  /** Each slot's device id. */
  private readonly ids: string[] = [];
  /** Each slot's connectivity at the last sweep (1 online, 0 offline). */
  private online = new Uint8Array(1024);
  /** Each device's state as its rank in `mapStates`, by slot: what the map counts clusters with. */
  private stateCodes = new Uint8Array(1024);
  /** Open alerts by slot (alert id → severity), for the devices that have any. */
  private readonly open = new Map<number, Map<string, AlertSeverity>>();
  /** How many devices are in each state, by code. */
  private readonly counts = new Int32Array(mapStates.length);
  /** While loading, changes are not told: they are the states found at start. */
  private loading = false;
  /** A sweep in runs is under way (`sweepInRuns`). */
  private sweeping = false;
  /** Sweeps of the changes alone since the last walk of every device. */
  private sweepsSinceWalk = 0;
  /** Told every change of a slot's state, the states found at start included (`follow`). */
  private readonly followers = new Set<(slot: number, from: number, to: number) => void>();

  constructor(options: DeviceStatesOptions) {
    this.options = options;
  }

  /** Takes in the registry's devices and the alerts open now. */
  load(openAlerts: Iterable<Alert>): void {
    this.loading = true;
    this.sweep();
    for (const alert of openAlerts) this.alertChanged('fired', alert);
    this.loading = false;
  }

  /** Follows an alert change: a device's open alert was added, changed severity or closed. */
  alertChanged(_change: AlertChangeKind, alert: Alert): void {
    if (alert.subject.kind !== 'device') return;
    const slot = this.slots.get(alert.subject.id);
    if (slot === undefined) return;
    let open = this.open.get(slot);
    if (alert.state === 'resolved') open?.delete(alert.id);
    else {
      if (!open) {
        open = new Map();
        this.open.set(slot, open);
      }
      open.set(alert.id, alert.severity);
    }
    if (open?.size === 0) this.open.delete(slot);
    this.update(slot);
  }

  /**
   * Follows connectivity: re-reads the devices the registry says were heard from or went quiet since
   * the last sweep (a few, where a walk of every device took 25 ms at 1,000,000), or every device when
   * it cannot say or has devices not taken in yet.
   */
  sweep(): void {
    const { records, visit } = this.sweepPlan();
    for (const record of records) visit(record);
  }

  /**
   * `sweep` in runs of about `runMs`, with a turn of the event loop between them: what the feature's
   * timer calls, so that a sweep in which tens of thousands of devices change (coming online together)
   * does not hold ingest and the API. A sweep asked while one runs is skipped.
   */
  async sweepInRuns(runMs?: number): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const { records, visit } = this.sweepPlan();
      await inTimedRuns(
        records,
        (take) => {
          for (let record = take(); record; record = take()) visit(record);
        },
        { budgetMs: runMs },
      );
    } finally {
      this.sweeping = false;
    }
  }

  /**
   * The devices a sweep re-reads, and what takes in each one's connectivity (one threshold for the
   * sweep). Every device: the registry yields them in the same order each time (new ones last), so the
   * k-th is looked for in slot k first, and by id only when it is not there.
   */
  private sweepPlan(): {
    records: Iterable<Readonly<DeviceRecord>>;
    visit: (record: Readonly<DeviceRecord>) => void;
  } {
    const { registry } = this.options;
    // The changes first: the threshold they were taken at is then never later than the one judged by.
    // A device that went quiet between the two is judged offline now, or reported at the next sweep.
    const changes = registry.connectivityChanges();
    const connectivity = registry.connectivity();
    this.sweepsSinceWalk++;
    if (changes !== undefined && this.ids.length === registry.size && this.sweepsSinceWalk < walkEvery)
      return {
        records: changes,
        visit: (record) => {
          const online = connectivity(record) === 'online' ? 1 : 0;
          const slot = this.slots.get(record.id);
          if (slot === undefined) this.add(record.id, online);
          else this.take(slot, online);
        },
      };
    this.sweepsSinceWalk = 0;
    let k = 0;
    return {
      records: registry.records(),
      visit: (record) => {
        const online = connectivity(record) === 'online' ? 1 : 0;
        const slot = this.ids[k] === record.id ? k : this.slots.get(record.id);
        k++;
        if (slot === undefined) this.add(record.id, online);
        else this.take(slot, online);
      },
    };
  }

  private take(slot: number, online: number): void {
    if (this.online[slot] === online) return;
    this.online[slot] = online;
    this.update(slot);
  }

  private add(id: string, online: number): void {
    const slot = this.ids.length;
    if (slot >= this.stateCodes.length) {
      this.online = grown(this.online);
      this.stateCodes = grown(this.stateCodes);
    }
    const state = deriveState(online === 1, []);
    this.ids.push(id);
    this.slots.set(id, slot);
    this.online[slot] = online;
    this.stateCodes[slot] = rankOf(state);
    this.tally(state, 1);
  }

  private update(slot: number): void {
    const state = deriveState(this.online[slot] === 1, this.open.get(slot)?.values() ?? []);
    const was = mapStates[this.stateCodes[slot] as number] as MapState;
    if (state === was) return;
    const id = this.ids[slot] as string;
    this.tally(was, -1);
    this.tally(state, 1);
    const code = rankOf(state);
    this.stateCodes[slot] = code;
    for (const follower of this.followers) follower(slot, rankOf(was), code);
    if (!this.loading) this.options.onChange(id, state);
  }

  /**
   * Tells `follower` each change of a device's state from now on, by slot, with the codes it went from
   * and to (ranks in `mapStates`), at start too; what keeps counts over `codes` follows them this way.
   */
  follow(follower: (slot: number, from: number, to: number) => void): () => void {
    this.followers.add(follower);
    return () => this.followers.delete(follower);
  }

  private tally(state: MapState, by: number): void {
    const code = rankOf(state);
    this.counts[code] = (this.counts[code] as number) + by;
  }

  /**
   * The slot of a device (its place in `codes`); -1 for a device not swept in yet. `k`: the device's
   * place in the registry's order, its slot unless devices were learned out of order (then looked up).
   */
  slotOf(id: string, k?: number): number {
    if (k !== undefined && this.ids[k] === id) return k;
    return this.slots.get(id) ?? -1;
  }

  /** States by slot, as ranks in `mapStates` (replaced when it grows: read it per use). */
  get codes(): Uint8Array {
    return this.stateCodes;
  }

  /**
   * A device's state with its connectivity as the caller just read it (an API answer, which also gives
   * the device's online/offline), so that an answer never says online and offline at once between two
   * sweeps. Read only: the sweep alone takes connectivity in (what the registry reports as changed is
   * measured against what the sweep took in).
   */
  stateNow(id: string, online: boolean): MapState {
    const slot = this.slots.get(id);
    return slot === undefined ? 'offline' : deriveState(online, this.open.get(slot)?.values() ?? []);
  }

  stateOf(id: string): MapState {
    const slot = this.slots.get(id);
    return slot === undefined ? 'offline' : (mapStates[this.stateCodes[slot] as number] as MapState);
  }

  /**
   * The ids of the devices in a state now, read from the states by slot when asked (no set of ids is
   * kept per state: at start a region's million devices are all offline). Live: read it at once.
   */
  idsIn(state: MapState): DeviceIds {
    const code = rankOf(state);
    const codes = this.stateCodes;
    const ids = this.ids;
    return {
      size: this.counts[code] as number,
      has: (id) => codes[this.slots.get(id) ?? -1] === code,
      *[Symbol.iterator]() {
        for (let slot = 0; slot < ids.length; slot++) if (codes[slot] === code) yield ids[slot] as string;
      },
    };
  }
}

/** Twice as long, the same bytes first. */
function grown(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const bigger = new Uint8Array(bytes.length * 2);
  bigger.set(bytes);
  return bigger;
}
