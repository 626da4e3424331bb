import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceCommand } from '../../shared/kinds/index.ts';
import type { CommandMessage, CommandResult } from '../../shared/messages.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRecord } from '../registry/store.ts';
import type { CommandStatus } from './status.ts';
import type { CommandRecord, CommandStore } from './store.ts';

export interface CommandServiceOptions {
  store: CommandStore;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Publishes a command message to the gateway's command topic at QoS 1. */
  publish(gatewayId: string, message: CommandMessage): void;
  /** Told of every command created and of every change of its status, with the record as stored. */
  onChange?: (record: CommandRecord) => void;
  /**
   * Cluster mode: hands a command for a gateway not listening here to the node whose broker holds it
   * (which sends it with `sendForwarded`); resolves whether one took it, never rejects. Without it, a
   * gateway not listening here waits for its commands until it listens here.
   */
  forward?: (record: CommandRecord) => Promise<boolean>;
}

/**
 * Sends commands to devices through their gateways and tracks each one from pending to a final state.
 * A gateway that is not listening gets its undelivered commands when it subscribes again (after a
 * reconnect, or after a cloud restart), unless they expired first. In cluster mode a command for a
 * gateway listening on another node is forwarded there, and the store is the nodes' shared one. What the broker and ingestion
 * call (listening, delivered, result) logs its own failures: their promises never reject.
 */
export class CommandService {
  private readonly options: CommandServiceOptions;
  private readonly listening = new Set<string>();
  private expiryTimer?: NodeJS.Timeout;

  constructor(options: CommandServiceOptions) {
    this.options = options;
  }

  start(): void {
    this.expiryTimer = setInterval(
      () => this.logFailure(this.expireOverdue(), 'expiring overdue commands'),
      1_000,
    );
  }

  stop(): void {
    clearInterval(this.expiryTimer);
  }

  /** Creates one command per device; sends at once to gateways that are listening. */
  async create(
    devices: DeviceRecord[],
    command: DeviceCommand['command'],
    ttlMs: number,
  ): Promise<CommandRecord[]> {
    const now = this.options.now();
    const records: CommandRecord[] = devices.map((device) => ({
      id: randomUUID(),
      deviceId: device.id,
      gatewayId: device.gatewayId,
      kind: device.kind,
      command,
      status: 'pending',
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
    }));
    await this.options.store.insert(records);
    for (const record of records) this.changed(record);
    this.options.counters.add('commands_created', records.length);
    const { forward } = this.options;
    for (const record of records) if (this.listening.has(record.gatewayId)) await this.send(record);
    if (forward)
      await Promise.all(records.filter((r) => !this.listening.has(r.gatewayId)).map((r) => forward(r)));
    return Promise.all(records.map(async (r) => (await this.options.store.get(r.id)) ?? r));
  }

  /** Marks the command sent before publishing it, so that its acknowledgement always finds it sent. */
  private async send(record: CommandRecord): Promise<void> {
    const { now, publish } = this.options;
    if (record.status === 'pending') await this.move(record.id, 'sent', now().toISOString());
    publish(record.gatewayId, {
      v: 1,
      commandId: record.id,
      issuedAt: record.createdAt,
      expiresAt: record.expiresAt,
      target: {
        deviceId: record.deviceId,
        kind: record.kind,
        command: record.command,
      } as CommandMessage['target'],
    });
  }

  /** The gateway subscribed to its command topic: deliver what is waiting for it. */
  gatewayListening(gatewayId: string): Promise<void> {
    this.listening.add(gatewayId);
    const now = this.options.now().toISOString();
    return this.logFailure(
      (async () => {
        for (const record of await this.options.store.undelivered(gatewayId)) {
          if (record.expiresAt >= now) await this.send(record);
        }
      })(),
      `delivering the waiting commands of gateway ${gatewayId}`,
    );
  }

  /**
   * Another node created this command for a gateway it does not hold: sends it if the gateway listens
   * here; resolves whether it did.
   */
  async sendForwarded(record: CommandRecord): Promise<boolean> {
    if (!this.listening.has(record.gatewayId)) return false;
    await this.send(record);
    return true;
  }

  gatewayGone(gatewayId: string): void {
    this.listening.delete(gatewayId);
  }

  /** The gateway acknowledged (PUBACK) the message carrying this command. */
  delivered(commandId: string): Promise<void> {
    return this.logFailure(
      this.move(commandId, 'delivered', this.options.now().toISOString()),
      `recording the delivery of command ${commandId}`,
    );
  }

  result(gatewayId: string, result: CommandResult): Promise<void> {
    return this.logFailure(
      this.record(gatewayId, result),
      `recording the result of command ${result.commandId} from gateway ${gatewayId}`,
    );
  }

  private async record(gatewayId: string, result: CommandResult): Promise<void> {
    const { store, log, counters } = this.options;
    const record = await store.get(result.commandId);
    if (!record || record.gatewayId !== gatewayId) {
      log.warn(
        { gatewayId, commandId: result.commandId },
        'result for a command this gateway was not sent; ignored',
      );
      counters.add('command_results_ignored');
      return;
    }
    // A result proves delivery, even if it overtook the acknowledgement of the command message.
    if (record.status === 'pending' || record.status === 'sent')
      await this.move(record.id, 'delivered', result.ts);
    if (await this.move(record.id, result.status, result.ts, result.reason)) {
      counters.add(`commands_${result.status}`);
      log.info(
        { commandId: record.id, deviceId: record.deviceId, status: result.status },
        'command completed',
      );
    }
  }

  private async expireOverdue(): Promise<void> {
    const { store, now, counters } = this.options;
    const at = now().toISOString();
    for (const record of await store.overdue(at)) {
      if (await this.move(record.id, 'expired', at, `not completed by ${record.expiresAt}`))
        counters.add('commands_expired');
    }
  }

  /** Moves a command to `status` (as `CommandStore.transition`) and reports the change; returns whether it changed. */
  private async move(id: string, status: CommandStatus, at: string, detail?: string): Promise<boolean> {
    const { store, onChange } = this.options;
    const changed = await store.transition(id, status, at, detail);
    if (changed && onChange) {
      const record = await store.get(id);
      if (record) this.changed(record);
    }
    return changed;
  }

  private changed(record: CommandRecord): void {
    try {
      this.options.onChange?.(record);
    } catch (error) {
      this.options.log.error({ err: error, commandId: record.id }, 'command change listener failed');
    }
  }

  /** Resolves when `work` settles; a failure is logged with what was being done, never thrown. */
  private async logFailure(work: Promise<unknown>, doing: string): Promise<void> {
    try {
      await work;
    } catch (error) {
      this.options.log.error({ err: error }, `${doing} failed`);
    }
  }
}
