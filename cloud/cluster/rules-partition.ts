import type { Consumer, JsMsg, KV, Subscription } from 'nats';
import type { Logger } from 'pino';
import type { DeviceEvent, Reading } from '../../shared/kinds/index.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { acceptedOfLines } from './journal-lines.ts';
import { Lease, type LeaseKv } from './lease.ts';
import type { NatsLink } from './nats-link.ts';
import { ensureRulesConsumer, rulesStreamConfig } from './rules-stream.ts';
import { rulesChangedSubject, rulesPartition } from './subjects.ts';

/** What the tenant's rules engine offers the partition. */
export interface PartitionedRules {
  /** Evaluates readings and events (only the lease holder calls it). */
  evaluate(accepted: { readings: Reading[]; events: DeviceEvent[] }): void;
  /** Resolves once what the evaluations so far wrote (alerts, rule state) is stored. */
  settled(): Promise<void>;
  /** On taking the lease: reload what other nodes may have changed (open alerts, rule state, rules). */
  takeOver(): Promise<void>;
  /** Another node changed the rule definitions: read them again. */
  reload(): Promise<void>;
}

/** What a tenant cell gives its partition. */
export interface RulesPartitionParts {
  rules: PartitionedRules;
  registry: Pick<DeviceRegistry, 'place' | 'recordReadings'>;
  counters: Counters;
  log: Logger;
}

export interface RulesPartitionOptions extends RulesPartitionParts {
  link: NatsLink;
  tenant: string;
  /** This node, as written in the lease. */
  node: string;
}

/** What the cell uses of its partition. */
export interface RulesPartitionHandle {
  owns(): boolean;
  changed(): void;
}

/** Batches taken per fetch of the rules consumer. */
const batchMessages = 200;

/**
 * One tenant's rules in cluster mode: evaluated by one node at a time, the holder of the tenant's
 * lease (cloud/cluster/lease.ts). The holder reads every batch any node journaled for the tenant from
 * its durable consumer of the rules stream (cloud/cluster/rules-stream.ts), records it in its registry, evaluates it and acknowledges it; the engine's
 * timers run only on the holder (`owns()`). Nodes that do not hold it try to take it every third of
 * the lease time. A change of the rule definitions through any node is announced on a core NATS
 * subject, and every node reads the definitions again.
 */
export class RulesPartition implements RulesPartitionHandle {
  readonly name = 'rules-partition';
  private readonly options: RulesPartitionOptions;
  private lease?: Lease;
  private timer?: NodeJS.Timeout;
  private subscription?: Subscription;
  private unprepare?: () => void;
  private consuming?: Promise<void>;
  private stepping = Promise.resolve();
  private stopped = false;

  constructor(options: RulesPartitionOptions) {
    this.options = options;
  }

  /** Whether this node evaluates the tenant's rules now: it holds the lease and is connected to NATS. */
  owns(): boolean {
    return !this.stopped && this.options.link.connected && (this.lease?.holds() ?? false);
  }

  async start(): Promise<void> {
    const { link, tenant, log } = this.options;
    const { settings } = link;
    const ensure = () => ensureRulesConsumer(link.jsm, settings, tenant);
    this.unprepare = link.prepareAlso(ensure);
    await ensure();
    const partition = rulesPartition(settings.stream, tenant);
    const kv: KV = await link.js.views.kv(partition.bucket, {
      ttl: settings.rulesLeaseMs,
      history: 1,
      replicas: settings.replicas,
    });
    this.lease = new Lease({
      kv: kvOfLease(kv),
      key: partition.key,
      holder: this.options.node,
      ttlMs: settings.rulesLeaseMs,
      now: Date.now,
    });
    this.subscription = link.connection.subscribe(rulesChangedSubject(settings.subjectPrefix, tenant), {
      callback: (error, message) => {
        if (error || message.string() === this.options.node) return;
        this.options.rules.reload().catch((e: Error) => log.error({ err: e }, 'rules not reloaded'));
      },
    });
    await this.round();
    this.timer = setInterval(() => void this.round(), Math.max(100, settings.rulesLeaseMs / 3));
  }

  /** Tells the other nodes that the rule definitions changed (they read them again). */
  changed(): void {
    const { link, tenant, node, log } = this.options;
    try {
      link.connection.publish(rulesChangedSubject(link.settings.subjectPrefix, tenant), node);
    } catch (error) {
      log.error({ err: error }, 'rule change not announced to the other nodes');
    }
  }

  /** One lease round at a time. */
  private round(): Promise<void> {
    this.stepping = this.stepping.then(() => this.step());
    return this.stepping;
  }

  private async step(): Promise<void> {
    const { counters, log, rules } = this.options;
    if (this.stopped || !this.lease || !this.options.link.connected) return;
    const step = await this.lease.step();
    if (step === 'acquired') {
      counters.add('rules_takeovers');
      log.info('this node evaluates the rules of the tenant now (lease taken)');
      try {
        await rules.takeOver();
      } catch (error) {
        log.error({ err: error }, 'taking over the rules failed; the lease is given up');
        await this.lease.release();
        return;
      }
    } else if (step === 'lost') {
      counters.add('rules_leases_lost');
      log.warn('this node no longer evaluates the rules of the tenant (lease lost)');
    }
    // Also after NATS came back with the lease still held: reading stopped while it was away.
    if (this.owns())
      this.consuming ??= this.consume().finally(() => {
        this.consuming = undefined;
      });
  }

  /** Reads the tenant's batches while this node holds the lease. */
  private async consume(): Promise<void> {
    const { link, tenant, log } = this.options;
    let consumer: Consumer | undefined;
    while (this.owns()) {
      try {
        consumer ??= await link.js.consumers.get(
          rulesStreamConfig(link.settings).name,
          rulesPartition(link.settings.stream, tenant).consumer,
        );
        const fetched = await consumer.fetch({ max_messages: batchMessages, expires: 1_000 });
        const evaluated: JsMsg[] = [];
        for await (const message of fetched) if (this.handle(message)) evaluated.push(message);
        // Acknowledged once the alerts and rule state they caused are stored: a holder that dies
        // before leaves them to the next one, which evaluates them again instead of losing an alert.
        if (evaluated.length > 0) await this.options.rules.settled();
        for (const message of evaluated) message.ack();
        this.options.counters.add('rules_batches_evaluated', evaluated.length);
      } catch (error) {
        consumer = undefined;
        log.debug({ err: error }, 'reading the rules consumer failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Evaluates one batch; false when this node no longer holds the lease (the batch goes back at once). */
  private handle(message: JsMsg): boolean {
    const { registry, rules } = this.options;
    if (!this.owns()) {
      message.nak();
      return false;
    }
    const { readings, events } = acceptedOfLines(message.string());
    // The holder's registry learns what other nodes ingested (last seen, latest values) before the rules read it.
    const placed = readings.filter(
      ({ gatewayId, reading }) => !('reason' in registry.place(gatewayId, reading)),
    );
    registry.recordReadings(placed.map(({ reading }) => reading));
    rules.evaluate({
      readings: placed.map(({ reading }) => reading),
      events: events
        .filter(({ gatewayId, event }) => !('reason' in registry.place(gatewayId, event)))
        .map(({ event }) => event),
    });
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.unprepare?.();
    this.subscription?.unsubscribe();
    await this.stepping;
    await this.consuming;
    await this.lease?.release();
  }
}

function kvOfLease(kv: KV): LeaseKv {
  return {
    create: (key, value) => kv.create(key, value),
    update: (key, value, revision) => kv.update(key, value, revision),
    get: async (key) => {
      const entry = await kv.get(key);
      return entry && entry.operation === 'PUT'
        ? { value: entry.string(), revision: entry.revision }
        : undefined;
    },
    delete: (key) => kv.delete(key),
  };
}
