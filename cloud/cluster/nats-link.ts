import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import type { Logger } from 'pino';
import { ensureJournalStream } from './journal-stream.ts';
import { ensureRulesStream } from './rules-stream.ts';
import type { JetStreamSettings } from './settings.ts';
import { allJournalSubjects, tenantOfSubject } from './subjects.ts';

/** How often the stream's backlog (batches waiting per tenant) is read. */
const backlogEveryMs = 2_000;

/**
 * A process's connection to NATS and the journal stream: it reconnects by itself for ever (NATS
 * restarted, the network cut), says whether it is connected now, makes sure the stream exists after
 * every (re)connection, and keeps the stream's backlog per tenant up to date for /health.
 */
export class NatsLink {
  readonly settings: JetStreamSettings;
  private readonly log: Logger;
  private nc?: NatsConnection;
  private jsClient?: JetStreamClient;
  private manager?: JetStreamManager;
  private up = false;
  private streamReady = false;
  private backlog = new Map<string, number>();
  private streamBytes = 0;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly preparing: (() => Promise<void>)[] = [];

  constructor(settings: JetStreamSettings, log: Logger) {
    this.settings = settings;
    this.log = log.child({ nats: settings.servers.join(',') });
  }

  /** Connects (waiting for NATS if it is not up yet) and makes sure the stream exists. */
  async start(name: string): Promise<void> {
    this.log.info({ stream: this.settings.stream }, 'connecting to NATS');
    this.nc = await connect({
      servers: this.settings.servers,
      name,
      waitOnFirstConnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      reconnectJitter: 200,
      pingInterval: 5_000,
      maxPingOut: 2,
    });
    this.up = true;
    this.jsClient = this.nc.jetstream();
    this.manager = await this.nc.jetstreamManager();
    await this.prepare();
    void this.watch(this.nc);
    this.timer = setInterval(() => void this.readBacklog(), backlogEveryMs);
    this.timer.unref();
    await this.readBacklog();
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.up = false;
        this.log.warn('NATS connection lost: appends are refused until it is back');
      } else if (status.type === 'reconnect') {
        this.up = true;
        this.log.info('NATS connection back');
        await this.prepare();
      }
    }
  }

  /** Makes sure the streams exist, and what was added (a NATS started afresh has none); retried at the next reconnection or backlog read. */
  private async prepare(): Promise<void> {
    try {
      await ensureJournalStream(this.jsm, this.settings);
      await ensureRulesStream(this.jsm, this.settings);
      for (const also of this.preparing) await also();
      this.streamReady = true;
    } catch (error) {
      this.streamReady = false;
      this.log.error({ err: error }, 'JetStream journal stream not available');
    }
  }

  private async readBacklog(): Promise<void> {
    if (!this.up || this.closed) return;
    if (!this.streamReady) await this.prepare();
    try {
      const info = await this.jsm.streams.info(this.settings.stream, {
        subjects_filter: allJournalSubjects(this.settings.subjectPrefix),
      });
      const backlog = new Map<string, number>();
      for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
        const tenant = tenantOfSubject(this.settings.subjectPrefix, subject);
        if (tenant) backlog.set(tenant, count);
      }
      this.backlog = backlog;
      this.streamBytes = info.state.bytes;
    } catch (error) {
      this.log.debug({ err: error }, 'reading the journal backlog failed');
    }
  }

  /** Whether appends can be confirmed now: connected, and the stream exists. */
  get connected(): boolean {
    return this.up && this.streamReady && !this.closed;
  }

  get js(): JetStreamClient {
    if (!this.jsClient) throw new Error('NATS is not connected yet');
    return this.jsClient;
  }

  get jsm(): JetStreamManager {
    if (!this.manager) throw new Error('NATS is not connected yet');
    return this.manager;
  }

  get connection(): NatsConnection {
    if (!this.nc) throw new Error('NATS is not connected yet');
    return this.nc;
  }

  /** Batches of a tenant waiting in the stream for the storage workers (as last read). */
  waiting(tenant: string): number {
    return this.backlog.get(tenant) ?? 0;
  }

  /** Why appends are refused now, if they are: NATS unreachable, or the stream full. */
  get refusing(): string[] {
    if (!this.up) return ['NATS is not reachable: messages are not acknowledged'];
    if (!this.streamReady) return [`JetStream stream ${this.settings.stream} is not available`];
    if (this.streamBytes >= this.settings.maxBytes)
      return [
        `journal stream full: ${this.streamBytes} bytes wait for the storage workers (JETSTREAM_MAX_BYTES)`,
      ];
    return [];
  }

  /** Made sure of with the stream, at start and after each reconnection (a tenant's rules consumer); returns its removal. */
  prepareAlso(step: () => Promise<void>): () => void {
    this.preparing.push(step);
    return () => {
      const at = this.preparing.indexOf(step);
      if (at >= 0) this.preparing.splice(at, 1);
    };
  }

  /** Reads the backlog now (a caller waiting for the workers to drain). */
  refresh(): Promise<void> {
    return this.readBacklog();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.nc?.drain().catch(() => this.nc?.close());
  }
}
