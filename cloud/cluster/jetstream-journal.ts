import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { BatchKeys } from '../storage/batch-keys.ts';
import type { CellJournal } from '../storage/cell-journal.ts';
import { type JournalEntry, type JournalRecord, toRecord } from '../storage/journal-contract.ts';
import type { NatsLink } from './nats-link.ts';
import { RecentKeys } from './recent-keys.ts';
import { rulesStreamConfig } from './rules-stream.ts';
import { journalSubject, rulesSubject } from './subjects.ts';

/** Batch keys remembered by one tenant's journal on one node, at most. */
const maxRecentKeys = 200_000;
/** How often `drained()` reads the backlog again. */
const drainPollMs = 200;

export interface JetStreamJournalOptions {
  link: NatsLink;
  tenant: string;
  counters: Counters;
  log: Logger;
  now: () => Date;
}

/**
 * A tenant's journal in cluster mode: an append is published on the tenant's subject of the shared
 * JetStream stream, with the batch key as its message id (Nats-Msg-Id: within the duplicate window a
 * redelivered batch, through this node or another, is stored once), and resolves only once JetStream
 * confirmed it (PubAck): "acknowledged" means in the stream (and in the rules' copy of it). While NATS is unreachable appends are
 * refused at once (no PUBACK; the gateway keeps the batch and sends it again); the connection comes
 * back by itself. The storage workers (cloud/cluster/journal-worker.ts) write the stream to InfluxDB.
 */
export class JetStreamJournal implements CellJournal {
  private readonly options: JetStreamJournalOptions;
  private readonly subject: string;
  private readonly rulesSubject: string;
  private readonly rulesStream: string;
  private readonly recent: RecentKeys;
  private readonly keys: BatchKeys;
  private readonly encoder = new TextEncoder();
  private inFlight = 0;
  private stopped = false;

  constructor(options: JetStreamJournalOptions) {
    this.options = options;
    const { settings } = options.link;
    this.subject = journalSubject(settings.subjectPrefix, options.tenant);
    this.rulesSubject = rulesSubject(settings.subjectPrefix, options.tenant);
    this.rulesStream = rulesStreamConfig(settings).name;
    this.recent = new RecentKeys({ ttlMs: settings.duplicateWindowMs, max: maxRecentKeys });
    this.keys = new BatchKeys((key) => this.recent.has(key, options.now().getTime()));
  }

  /** Batches of this tenant waiting in the stream for the storage workers (not lines: the stream counts messages). */
  get depth(): number {
    return this.options.link.waiting(this.options.tenant) + this.inFlight;
  }

  seen(key: string): Promise<void> | undefined {
    return this.keys.seen(key);
  }

  append(entry: JournalEntry): Promise<void> {
    const record = toRecord(entry, this.options.now());
    return this.keys.track(record.key, this.publish(record));
  }

  private async publish(record: JournalRecord): Promise<void> {
    const { link, counters } = this.options;
    if (this.stopped) throw new Error('journal stopped');
    if (!link.connected) {
      counters.add('journal_append_refused');
      throw new Error(`journal append refused: ${link.refusing.join('; ') || 'NATS is not connected'}`);
    }
    // A batch whose every item was refused has no lines: only its key is remembered (no message).
    if (record.count > 0) {
      this.inFlight++;
      try {
        // The journal's copy, for the storage workers, and the rules' copy, for the node evaluating the
        // tenant's rules (cloud/cluster/rules-stream.ts): acknowledged once both have it.
        const data = this.encoder.encode(record.text);
        const options = (streamName: string) => ({
          timeout: link.settings.publishTimeoutMs,
          expect: { streamName },
          ...(record.key ? { msgID: record.key } : {}),
        });
        const [ack] = await Promise.all([
          link.js.publish(this.subject, data, options(link.settings.stream)),
          link.js.publish(this.rulesSubject, data, options(this.rulesStream)),
        ]);
        if (ack.duplicate) counters.add('journal_duplicate_appends');
      } catch (error) {
        counters.add('journal_append_errors');
        throw new Error(
          `JetStream did not confirm the append on ${this.subject}: ${(error as Error).message}`,
          {
            cause: error,
          },
        );
      } finally {
        this.inFlight--;
      }
    }
    if (record.key) this.recent.add(record.key, record.at);
  }

  /** An append while NATS is away is refused, not held (see `CellJournal`). */
  readonly refusesAtOnce = true;

  get refusing(): string[] {
    return this.options.link.refusing;
  }

  /** The storage workers write InfluxDB; this node does not see their writes (their /health does). */
  get influxReachable(): boolean {
    return true;
  }

  get faulty(): Record<string, string> {
    const [reason] = this.options.link.refusing;
    return reason ? { append: reason } : {};
  }

  get failed(): Error | undefined {
    return undefined;
  }

  /** Resolves once the stream holds no batch of this tenant (the workers wrote them all). */
  async drained(): Promise<void> {
    for (;;) {
      await this.options.link.refresh();
      if (this.depth === 0) return;
      await new Promise((resolve) => setTimeout(resolve, drainPollMs));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
  }
}
