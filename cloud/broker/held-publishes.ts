import type { Client } from 'aedes';
import type { ReadPauses } from './read-pauses.ts';

interface Held {
  count: number;
  timer?: NodeJS.Timeout;
  /** Whether its reads are held (ReadPauses), its PINGREQs answered meanwhile. */
  reading: boolean;
}

/**
 * The publishes of each client whose PUBACK waits for storage. A wait is normally the few
 * milliseconds of a journal commit; one that outlasts `answerPingsAfterMs` means the journal cannot
 * write (a full or failing disk): then the client's reads are held (ReadPauses), which answers its
 * PINGREQs, so neither the gateway's keep-alive nor aedes's closes a connection whose only fault is
 * waiting for the cloud's disk. Released when its last held publish settles.
 */
export class HeldPublishes {
  private readonly held = new WeakMap<Client, Held>();
  private readonly reads: ReadPauses;
  private readonly answerPingsAfterMs: number;

  constructor(reads: ReadPauses, answerPingsAfterMs: number) {
    this.reads = reads;
    this.answerPingsAfterMs = answerPingsAfterMs;
  }

  /** One more publish of the client waits for storage. */
  add(client: Client): void {
    const held = this.held.get(client) ?? { count: 0, reading: false };
    this.held.set(client, held);
    held.count++;
    if (held.count === 1)
      held.timer = setTimeout(() => this.holdReads(client, held), this.answerPingsAfterMs);
  }

  /**
   * A publish of the client waits for its journal to have room (full or failing), so its reads are
   * held at once rather than after `answerPingsAfterMs`: nothing more of it is read (aedes would
   * otherwise read on as its bytes come) until its publishes settle.
   */
  holdNow(client: Client): void {
    const held = this.held.get(client);
    if (held && held.count > 0) this.holdReads(client, held);
  }

  private holdReads(client: Client, held: Held): void {
    clearTimeout(held.timer);
    held.timer = undefined;
    if (held.reading) return;
    held.reading = true;
    this.reads.hold(client);
  }

  settle(client: Client): void {
    const held = this.held.get(client);
    if (!held || held.count === 0) return;
    held.count--;
    if (held.count > 0) return;
    clearTimeout(held.timer);
    held.timer = undefined;
    if (!held.reading) return;
    held.reading = false;
    this.reads.release(client);
  }

  isHeld(client: Client): boolean {
    return (this.held.get(client)?.count ?? 0) > 0;
  }
}
