import type { AlertChangeKind } from '../alerts/schema.ts';
import type { Alert } from '../alerts/store.ts';
import type { CommandRecord } from '../commands/store.ts';
import type { MapState } from './map-state.ts';

/** What the live stream tells: each event's name and data. */
export interface LiveEvents {
  alert: { transition: AlertChangeKind; alert: Alert };
  command: CommandRecord;
  device: { id: string; state: MapState };
}

type Listener<T> = (data: T) => void;

/**
 * A typed event bus: each event name maps to the type of its data. Listeners run synchronously in
 * the order they were added; one that throws is reported and the others still run.
 */
export class EventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();
  private readonly onError: (error: unknown, name: keyof Events) => void;

  constructor(onError: (error: unknown, name: keyof Events) => void) {
    this.onError = onError;
  }

  /** Adds a listener; returns what removes it. */
  on<K extends keyof Events>(name: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener as Listener<never>);
    return () => set.delete(listener as Listener<never>);
  }

  emit<K extends keyof Events>(name: K, data: Events[K]): void {
    for (const listener of this.listeners.get(name) ?? []) {
      try {
        (listener as Listener<Events[K]>)(data);
      } catch (error) {
        this.onError(error, name);
      }
    }
  }
}
