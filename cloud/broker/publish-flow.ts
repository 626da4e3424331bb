import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { UplinkMessage } from '../ingest/ingest.ts';
import type { CounterSink } from '../monitoring/counters.ts';
import { AckOrder } from './ack-order.ts';
import { HeldPublishes } from './held-publishes.ts';
import { ReadPauses } from './read-pauses.ts';
import { RoomWaits } from './room-waits.ts';
import { TenantRates } from './tenant-rates.ts';

export interface PublishFlowOptions {
  log: Logger;
  now: () => Date;
  /** QoS 1 messages of one gateway read past while their PUBACKs wait for storage (MQTT_READ_AHEAD). */
  readAhead: number;
  /** The tenant's quota of messages per second (all its gateways). */
  messagesPerSecond(tenant: string): number;
  /** Whether the tenant's messages may be applied now (see `BrokerOptions.tenants.takesMessages`). */
  takesMessages(tenant: string): boolean;
  /** Applies an accepted message; the PUBACK waits for it (see `BrokerOptions.onUplink`). */
  onUplink(message: UplinkMessage, tenant: string): Promise<void>;
  /** Ingestion failed and the connection is closed for it: the broker's doing, not the gateway's. */
  onIngestionFailed(client: Client): void;
}

/** An authorised publish: whose, counted where, and aedes' callback that writes its PUBACK. */
export interface AuthorisedPublish {
  client: Client;
  tenant: string;
  counters: CounterSink;
  message: UplinkMessage;
  done: (error?: Error | null) => void;
}

/**
 * The flow of a publish the broker authorised, from its tenant's quota to its PUBACK: a message over
 * the quota waits its turn with the gateway's reads held (and is refused only if it would wait
 * longer than the quota allows), one whose tenant's journal cannot take it waits before it is
 * applied, PUBACKs go in the order the publishes came and only once what was accepted is durable,
 * and meanwhile up to `readAhead` of a gateway's next messages are read and applied.
 */
export class PublishFlow {
  private readonly options: PublishFlowOptions;
  /** Each tenant's message quota and accepted rate. */
  private readonly tenantRates = new TenantRates();
  /** Clients read no more while some of their messages wait for their turn in their tenant's quota. */
  private readonly reads = new ReadPauses();
  /** PUBACKs in the order the publishes came. */
  private readonly acks = new AckOrder();
  /** Publishes whose PUBACK waits for storage (ingestion not settled yet); a long wait answers PINGREQs. */
  private readonly held = new HeldPublishes(this.reads, 1_000);
  /** Messages waiting, before they are applied, for their tenant's journal to take messages again. */
  private readonly rooms: RoomWaits;

  constructor(options: PublishFlowOptions) {
    this.options = options;
    this.rooms = new RoomWaits((tenant) => options.takesMessages(tenant), 20);
  }

  /** A new connection, whose reads this flow may pause. */
  track(client: Client): void {
    this.reads.track(client);
  }

  /** Whether some of the client's publishes wait for their PUBACK. */
  isHeld(client: Client): boolean {
    return this.held.isHeld(client);
  }

  /** A tenant's accepted messages per second, over the last 10 s. */
  acceptedRate(tenant: string): number {
    return this.tenantRates.accepted(tenant, this.options.now().getTime());
  }

  /**
   * Starts the publish's flow. Returns why it is refused if its tenant's quota refuses it (nothing
   * of it started); otherwise `undefined`, and `done` is called once it is durable or has failed.
   */
  start(publish: AuthorisedPublish): string | undefined {
    const { client, tenant, counters } = publish;
    const quota = this.options.messagesPerSecond(tenant);
    const waitMs = this.tenantRates.reserve(tenant, quota, this.options.now().getTime());
    if (waitMs === undefined) return `tenant ${tenant} is over its quota of ${quota} messages/s`;
    this.held.add(client);
    const inTurn = this.acks.take(client);
    // A message whose connection closed while it waited is ingested all the same: it had its place in
    // the quota, a last will is published only after its client closed, and a gateway that sends the
    // message again is recognised (duplicate batch).
    const ingest = () => this.ingest(publish, inTurn);
    // While the tenant's journal cannot take it (full, or a failing disk) the message waits before it
    // is applied, and aedes reads nothing more from this client meanwhile: the gateway keeps the rest
    // in its outbox, and nothing is accepted that the journal could not keep.
    const admit = () => {
      if (!this.rooms.admit(tenant, ingest)) return;
      counters.add('mqtt_publish_waited_for_room');
      this.held.holdNow(client);
    };
    if (waitMs === 0) admit();
    else {
      counters.add('mqtt_publish_tenant_rate_held');
      this.holdBack(client, waitMs, admit);
    }
    return undefined;
  }

  close(): void {
    this.rooms.close();
  }

  private ingest(publish: AuthorisedPublish, inTurn: (answer: () => void) => void): void {
    const { client, tenant, counters, message, done } = publish;
    const { log, onUplink, now, readAhead } = this.options;
    this.tenantRates.mark(tenant, now().getTime());
    onUplink(message, tenant).then(
      () =>
        inTurn(() => {
          this.held.settle(client);
          done(null);
        }),
      (error: Error) =>
        inTurn(() => {
          this.held.settle(client);
          log.error({ err: error, topic: message.topic }, 'ingestion failed; message not acknowledged');
          this.options.onIngestionFailed(client);
          done(error);
        }),
    );
    // Decoded and applied by now; only its PUBACK waits for the journal, so the gateway's next
    // messages need not (their alerts are raised without waiting for the disk). Never while the
    // journal is full or failing: then the gateway keeps them, as backpressure means.
    if (readAhead > 0 && this.options.takesMessages(tenant) && this.reads.readAhead(client, readAhead))
      counters.add('mqtt_publish_read_ahead');
  }

  /**
   * Runs `then` in `ms`, reading nothing more from the client meanwhile (see `ReadPauses`): the
   * gateway's further messages wait in its own outbox and TCP buffers, not in the cloud's memory, so
   * a tenant sending faster than its quota is slowed, not refused.
   */
  private holdBack(client: Client, ms: number, then: () => void): void {
    this.reads.hold(client);
    setTimeout(() => {
      this.reads.release(client);
      then();
    }, ms);
  }
}
