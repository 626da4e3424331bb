import { defaultBudgetMs } from '../lifecycle/timed-runs.ts';

export interface UplinkTurnsOptions {
  /** How long one run of ingestion holds the event loop (`defaultBudgetMs` if not given). */
  budgetMs?: number;
  /** Milliseconds, monotonic (`performance.now` by default). */
  now?: () => number;
  /** Calls `run` after the event loop's next turn (`setImmediate` by default). */
  defer?: (run: () => void) => void;
  /** Told of work that threw (it is dropped; the next one runs). */
  onError: (error: unknown) => void;
}

/**
 * Published messages taken into ingestion by turns: one message of each connection in rotation, in
 * runs of about `budgetMs` with the event loop's turn between runs. aedes hands over every message
 * of a socket read at once (a gateway's window of batches, eight or more), so in the order they came
 * a message waited behind every message read before it: the gateway whose one reading breaks a rule
 * waited behind whole windows of the others'. Here a connection that had nothing waiting takes the
 * next turn (the run in progress ends first), and connections with a backlog take one message each
 * in rotation, so a busy gateway cannot hold a quiet one back, and a backlog still moves on every
 * round. Sockets are read between runs. A connection's own messages keep their order.
 */
export class UplinkTurns<K> {
  private readonly budgetMs: number;
  private readonly now: () => number;
  private readonly defer: (run: () => void) => void;
  private readonly onError: (error: unknown) => void;
  /** Each connection's waiting work, oldest first; a connection is in `rotation` while it has some. */
  private readonly waiting = new Map<K, (() => void)[]>();
  /** Connections with a backlog, in the order of their next turn. */
  private rotation: K[] = [];
  /** Connections that had nothing waiting when their message came: first in the next round. */
  private fresh: K[] = [];
  private scheduled = false;

  constructor(options: UplinkTurnsOptions) {
    this.budgetMs = options.budgetMs ?? defaultBudgetMs;
    this.now = options.now ?? (() => performance.now());
    this.defer = options.defer ?? ((run) => setImmediate(run));
    this.onError = options.onError;
  }

  /** Runs `work` in `key`'s turn, after the work `key` added before. */
  add(key: K, work: () => void): void {
    const queue = this.waiting.get(key);
    if (queue) queue.push(work);
    else {
      this.waiting.set(key, [work]);
      this.fresh.push(key);
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.defer(() => this.run());
  }

  /** One run: a message of each connection in turn until the time is spent (at least one message). */
  private run(): void {
    this.scheduled = false;
    const started = this.now();
    let turns = 0;
    // The connections of this round; those with more work go to the back for the next round.
    let round = this.nextRound();
    let at = 0;
    while (at < round.length) {
      if (turns > 0 && this.now() - started >= this.budgetMs) break;
      const key = round[at++] as K;
      const queue = this.waiting.get(key) as (() => void)[];
      const work = queue.shift() as () => void;
      if (queue.length > 0) this.rotation.push(key);
      else this.waiting.delete(key);
      turns++;
      try {
        work();
      } catch (error) {
        this.onError(error);
      }
      if (at === round.length) {
        // A round is done within the run: the next round starts.
        round = this.nextRound();
        at = 0;
      }
    }
    // Connections whose turn did not come in this run keep their place, ahead of those served.
    // (Fresh ones that came during the run asked for the next run themselves.)
    this.rotation = [...round.slice(at), ...this.rotation];
    if (this.rotation.length > 0) this.schedule();
  }

  /** The connections of a round, in turn: the fresh ones first, then those with a backlog. */
  private nextRound(): K[] {
    const round = [...this.fresh, ...this.rotation];
    this.fresh = [];
    this.rotation = [];
    return round;
  }
}
