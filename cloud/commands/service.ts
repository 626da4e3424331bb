import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceCommand } from '../../shared/kinds/index.ts';
import type { CommandMessage, CommandResult } from '../../shared/messages.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DeviceRecord } from '../registry/store.ts';
import type { CommandRecord, SqliteCommandStore } from './store.ts';

export interface CommandServiceOptions {
  store: SqliteCommandStore;
  counters: Counters;
  log: Logger;
  now: () => Date;
  /** Publishes a command message to the gateway's command topic at QoS 1. */
  publish(gatewayId: string, message: CommandMessage): void;
}

/**
 * Sends commands to devices through their gateways and tracks each one from pending to a final state.
 * A gateway that is not listening gets its undelivered commands when it subscribes again (after a
 * reconnect, or after a cloud restart), unless they expired first.
 */
export class CommandService {
  private readonly options: CommandServiceOptions;
  private readonly listening = new Set<string>();
  private expiryTimer?: NodeJS.Timeout;

  constructor(options: CommandServiceOptions) {
    this.options = options;
  }

  start(): void {
    this.expiryTimer = setInterval(() => this.expireOverdue(), 1_000);
  }

  stop(): void {
    clearInterval(this.expiryTimer);
  }

  /** Creates one command per device; sends at once to gateways that are listening. */
  create(devices: DeviceRecord[], command: DeviceCommand['command'], ttlMs: number): CommandRecord[] {
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
    this.options.store.insert(records);
    this.options.counters.add('commands_created', records.length);
    for (const record of records) if (this.listening.has(record.gatewayId)) this.send(record);
    return records.map((r) => this.options.store.get(r.id) ?? r);
  }

  private send(record: CommandRecord): void {
    const { store, now, publish } = this.options;
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
    if (record.status === 'pending') store.transition(record.id, 'sent', now().toISOString());
  }

  /** The gateway subscribed to its command topic: deliver what is waiting for it. */
  gatewayListening(gatewayId: string): void {
    this.listening.add(gatewayId);
    const now = this.options.now().toISOString();
    for (const record of this.options.store.undelivered(gatewayId)) {
      if (record.expiresAt >= now) this.send(record);
    }
  }

  gatewayGone(gatewayId: string): void {
    this.listening.delete(gatewayId);
  }

  /** The gateway acknowledged (PUBACK) the message carrying this command. */
  delivered(commandId: string): void {
    this.options.store.transition(commandId, 'delivered', this.options.now().toISOString());
  }

  result(gatewayId: string, result: CommandResult): void {
    const { store, log, counters } = this.options;
    const record = store.get(result.commandId);
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
      store.transition(record.id, 'delivered', result.ts);
    if (store.transition(record.id, result.status, result.ts, result.detail)) {
      counters.add(`commands_${result.status}`);
      log.info(
        { commandId: record.id, deviceId: record.deviceId, status: result.status },
        'command completed',
      );
    }
  }

  private expireOverdue(): void {
    const { store, now, counters } = this.options;
    const at = now().toISOString();
    for (const record of store.overdue(at)) {
      if (store.transition(record.id, 'expired', at, `not completed by ${record.expiresAt}`))
        counters.add('commands_expired');
    }
  }
}
