import { useEffect, useRef } from 'preact/hooks';
import { eventsUrl } from './api/api.ts';
import type { Alert, AlertTransition, Command, MapState } from './api/types.ts';

/**
 * The one live connection: an EventSource on /api/v1/events of the town shown (the browser sends
 * the session cookie and reconnects by itself). Pages subscribe to the events they show; on every
 * (re)connect they re-read their lists, since the stream does not replay what was missed. No page
 * polls.
 */
export interface LiveEvents {
  alert: { transition: AlertTransition; alert: Alert };
  command: Command;
  device: { id: string; state: MapState };
  connected: undefined;
}
type Name = keyof LiveEvents;
type Listener<N extends Name> = (data: LiveEvents[N]) => void;

const listeners: { [N in Name]: Set<Listener<N>> } = {
  alert: new Set(),
  command: new Set(),
  device: new Set(),
  connected: new Set(),
};
let source: { url: string; events: EventSource } | undefined;

function emit<N extends Name>(name: N, data: LiveEvents[N]): void {
  for (const listener of listeners[name]) listener(data);
}

/**
 * Opens the stream of a town (`tenant`: a region account's choice; undefined: the account's own
 * town), closing the stream of another; idempotent.
 */
export function connectLive(tenant: string | undefined): void {
  const url = eventsUrl(tenant);
  if (source?.url === url) return;
  disconnectLive();
  const events = new EventSource(url, { withCredentials: true });
  source = { url, events };
  events.addEventListener('open', () => emit('connected', undefined));
  for (const name of ['alert', 'command', 'device'] as const) {
    events.addEventListener(name, (event) => {
      try {
        emit(name, JSON.parse((event as MessageEvent<string>).data));
      } catch {
        // A malformed event is skipped; the next (re)connect re-reads the lists anyway.
      }
    });
  }
}

/** Closes the stream (sign-out, or a region account with no town to show). */
export function disconnectLive(): void {
  source?.events.close();
  source = undefined;
}

/** Subscribes a component to one kind of live event for as long as it is mounted. */
export function useLive<N extends Name>(name: N, listener: Listener<N>): void {
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => {
    const call: Listener<N> = (data) => latest.current(data);
    listeners[name].add(call);
    return () => {
      listeners[name].delete(call);
    };
  }, [name]);
}

/**
 * While a component is mounted, a second stream: /api/v1/region/events, the alert changes of every
 * town the account may see (the Region page). `changed` is called on each, and on every (re)connect.
 */
export function useRegionAlerts(changed: () => void): void {
  const latest = useRef(changed);
  latest.current = changed;
  useEffect(() => {
    const events = new EventSource('/api/v1/region/events', { withCredentials: true });
    events.addEventListener('open', () => latest.current());
    events.addEventListener('alert', () => latest.current());
    return () => events.close();
  }, []);
}
