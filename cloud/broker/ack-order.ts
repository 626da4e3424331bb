import type { Client } from 'aedes';

/**
 * PUBACKs in the order the publishes came (MQTT 3.1.1, 4.6). aedes handles the packets of a read at
 * once, and a publish with a dead letter (one more write) can be stored after the next one: each
 * publish takes a place in its client's line when it comes, and is answered once every publish
 * before it has been. A client with nothing in line has no entry.
 */
export class AckOrder {
  private readonly last = new WeakMap<Client, Promise<void>>();

  /** The client's next place in line: call it with the answer, which runs once those before it ran. */
  take(client: Client): (answer: () => void) => void {
    const before = this.last.get(client);
    const turn = Promise.withResolvers<void>();
    this.last.set(client, turn.promise);
    return (answer) => {
      const go = () => {
        turn.resolve();
        if (this.last.get(client) === turn.promise) this.last.delete(client);
        answer();
      };
      if (before) void before.then(go);
      else go();
    };
  }
}
