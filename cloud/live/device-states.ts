import type { AlertSeverity } from '../../shared/severity.ts';
import type { AlertChangeKind } from '../alerts/schema.ts';
import type { Alert } from '../alerts/store.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { deriveState, type MapState, mapStates, rankOf } from './map-state.ts';

interface Entry {
  /** The device's place in `codes`. */
  slot: number;
  online: boolean;
  state: MapState;
  /** Open alerts about this device: alert id → severity. */
  open?: Map<string, AlertSeverity>;
}

export interface DeviceStatesOptions {
  registry: Pick<DeviceRegistry, 'records' | 'connectivity'>;
  /** A device's state changed (not called for the states found at start). */
  onChange: (id: string, state: MapState) => void;
}

/**
 * Every device's map state, kept up to date incrementally: alert changes move one device at once;
 * connectivity (which changes with time, not with an event) is swept with `sweep()`, which the
 * feature calls every few seconds. Nothing is recomputed per request.
 */
export class DeviceStates {
  private readonly options: DeviceStatesOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly byState = new Map<MapState, Set<string>>(mapStates.map((s) => [s, new Set()]));
  /** Each device's state as its rank in `mapStates`, by slot: what the map counts clusters with. */
  private stateCodes = new Uint8Array(1024);
  /** While loading, changes are not told: they are the states found at start. */
  private loading = false;

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
    const entry = this.entries.get(alert.subject.id);
    if (!entry) return;
    if (alert.state === 'resolved') entry.open?.delete(alert.id);
    else {
      entry.open ??= new Map();
      entry.open.set(alert.id, alert.severity);
    }
    if (entry.open?.size === 0) entry.open = undefined;
    this.update(alert.subject.id, entry);
  }

  /** Re-reads every device's connectivity (and takes in devices learned since); a few ms at 100,000. */
  sweep(): void {
    const connectivity = this.options.registry.connectivity();
    for (const record of this.options.registry.records()) {
      const online = connectivity(record) === 'online';
      const entry = this.entries.get(record.id);
      if (!entry) {
        const state = deriveState(online, []);
        const slot = this.entries.size;
        if (slot >= this.stateCodes.length) {
          const grown = new Uint8Array(this.stateCodes.length * 2);
          grown.set(this.stateCodes);
          this.stateCodes = grown;
        }
        this.stateCodes[slot] = rankOf(state);
        this.entries.set(record.id, { slot, online, state });
        this.byState.get(state)?.add(record.id);
      } else if (entry.online !== online) {
        entry.online = online;
        this.update(record.id, entry);
      }
    }
  }

  private update(id: string, entry: Entry): void {
    const state = deriveState(entry.online, entry.open?.values() ?? []);
    if (state === entry.state) return;
    this.byState.get(entry.state)?.delete(id);
    this.byState.get(state)?.add(id);
    entry.state = state;
    this.stateCodes[entry.slot] = rankOf(state);
    if (!this.loading) this.options.onChange(id, state);
  }

  /** The slot of a device (its place in `codes`); -1 for a device not swept in yet. */
  slotOf(id: string): number {
    return this.entries.get(id)?.slot ?? -1;
  }

  /** States by slot, as ranks in `mapStates` (replaced when it grows: read it per use). */
  get codes(): Uint8Array {
    return this.stateCodes;
  }

  stateOf(id: string): MapState {
    return this.entries.get(id)?.state ?? 'offline';
  }

  /** The devices in a state now (a live set: not to be changed). */
  idsIn(state: MapState): ReadonlySet<string> {
    return this.byState.get(state) as ReadonlySet<string>;
  }
}
