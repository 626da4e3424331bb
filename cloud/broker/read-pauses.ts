import type { Client } from 'aedes';
import { HeldPings } from './held-pings.ts';

/** The aedes internals this relies on (lib/client.js, aedes 1.2; mqtt-packet's parser). */
interface ClientInternals {
  _paused: boolean;
  _nextBatch: (error?: Error) => void;
  conn?: import('node:stream').Duplex;
  _keepaliveTimer?: { refresh(): void } | null;
  _parser?: { _list: { length: number }; _stateCounter: number };
}

interface State {
  holds: number;
  /** Packets read past (`readAhead`) whose own call, when aedes makes it, is dropped: it was made already. */
  ahead: number;
  /** Calls of handled packets kept while held, given back at release. */
  owed: number;
  next: (error?: Error) => void;
  /** PINGREQs answered while held (see HeldPings). */
  pings?: HeldPings;
}

/** What a held client's bytes read aside may take at most: a gateway's window of in-flight batches. */
const maxKeptBytes = 1024 * 1024;

/**
 * Stops reading from an aedes client while some of its messages wait, and reads again after. aedes
 * reads a client's socket again once every packet of the last read is handled: each handled packet
 * calls `client._nextBatch`, which does nothing while `client._paused` (aedes lib/client.js). aedes's
 * own pause() and resume() serve the CONNECT handshake, when no other packet is in hand; here packets
 * of the same read are handled while the client is held, so their calls are kept and given back at
 * release, or the reading would never start again. `track` wraps `_nextBatch` before any packet
 * after CONNECT is handled (call it in preConnect); test/integration/tenant-quotas.test.ts checks
 * that a held gateway is read again. While held, the client's PINGREQs are answered (HeldPings), so
 * a hold of any length costs no connection its keep-alive (test/faults/held-keepalive.test.ts).
 * The other way, `readAhead` lets aedes read on while a packet waits (a publish whose PUBACK waits
 * for the journal), so that a gateway's next messages are decoded and its alerts raised without
 * waiting for the disk; the PUBACKs still wait for it.
 */
export class ReadPauses {
  private readonly states = new WeakMap<Client, State>();

  track(client: Client): void {
    const internals = client as unknown as ClientInternals;
    const state: State = { holds: 0, ahead: 0, owed: 0, next: internals._nextBatch };
    if (typeof state.next !== 'function')
      throw new Error(`aedes client ${client.id} has no _nextBatch to track`);
    internals._nextBatch = (error) => {
      if (!error && state.ahead > 0) {
        state.ahead--;
        return;
      }
      if (!error && state.holds > 0) {
        state.owed++;
        return;
      }
      state.next(error);
    };
    this.states.set(client, state);
  }

  /**
   * Lets aedes read the client's next packets before a packet in hand is handled (a publish whose
   * PUBACK waits for storage), as if that packet were done: its own call is dropped when it comes.
   * At most `limit` packets of a client are read past at a time, and none while it is held. Says
   * whether it read past this one.
   */
  readAhead(client: Client, limit: number): boolean {
    const state = this.states.get(client);
    if (!state || state.holds > 0 || state.ahead >= limit) return false;
    state.ahead++;
    state.next();
    return true;
  }

  /** Reads nothing more from the client until it is released as many times as it was held. */
  hold(client: Client): void {
    const state = this.states.get(client);
    if (!state) return;
    state.holds++;
    if (state.holds > 1) return;
    const internals = client as unknown as ClientInternals;
    internals._paused = true;
    // Bytes can be read aside only from a packet boundary: not while aedes's parser holds part of one.
    const parser = internals._parser;
    if (internals.conn && parser && parser._list.length === 0 && parser._stateCounter === 0)
      state.pings = new HeldPings(internals.conn, {
        maxKeptBytes,
        onPing: () => internals._keepaliveTimer?.refresh(),
      });
  }

  release(client: Client): void {
    const state = this.states.get(client);
    if (!state || state.holds === 0) return;
    state.holds--;
    if (state.holds > 0) return;
    state.pings?.end();
    state.pings = undefined;
    (client as unknown as ClientInternals)._paused = false;
    const owed = state.owed;
    state.owed = 0;
    for (let i = 0; i < owed; i++) state.next();
  }
}
