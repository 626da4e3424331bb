import type { Logger } from 'pino';
import { z } from 'zod';
import type { DeviceDriver } from '../shared/driver.ts';
import { describeIssues } from '../shared/issues.ts';
import type { DeviceEvent, Reading } from '../shared/kinds/index.ts';
import {
  type CommandMessage,
  type CommandReason,
  type CommandResult,
  commandMessage,
} from '../shared/messages.ts';
import { parseStrictJson } from '../shared/strict-json.ts';

export interface CommandHandlerOptions {
  gatewayId: string;
  /** The drivers in force now (the remote configuration can replace them). */
  drivers: () => readonly DeviceDriver[];
  log: Logger;
  now: () => Date;
  /** Sends a result to the cloud (QoS 1). */
  sendResult(result: CommandResult): void;
  /** Queues readings and events a command produced, like any others. */
  queue(readings: Reading[], events: DeviceEvent[]): void;
}

/**
 * Carries out commands from the cloud: validates them, refuses expired ones or ones for devices this
 * gateway does not own, hands the rest to the device's driver and reports the outcome. A command
 * delivered twice (QoS 1 allows it) is answered again without being executed again.
 */
export class CommandHandler {
  private readonly options: CommandHandlerOptions;
  private readonly answered = new Map<string, CommandResult>();
  /** Commands being executed now; a duplicate waits for the first copy instead of running again. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(options: CommandHandlerOptions) {
    this.options = options;
  }

  async handle(payload: Buffer): Promise<void> {
    const { gatewayId, log, sendResult } = this.options;
    // Bytes that are not UTF-8 and repeated keys are refused, never read as something else.
    const strict = parseStrictJson(payload);
    if (!strict.ok) {
      log.warn({ gatewayId, reason: strict.reason }, 'command is not well-formed JSON; ignored');
      return;
    }
    const json = strict.value;
    const parsed = commandMessage.safeParse(json);
    const claimed = (json as { commandId?: unknown } | null)?.commandId;
    // Logged only when it is an id: whatever else the field holds is a value.
    const commandId = z.uuid().safeParse(claimed).success ? (claimed as string) : undefined;
    if (!parsed.success) {
      log.warn({ gatewayId, commandId }, `invalid command: ${describeIssues(parsed.error)}`);
      if (commandId) this.reply(commandId, 'rejected', 'invalidCommand');
      return;
    }
    const message = parsed.data;
    const previous = this.answered.get(message.commandId);
    if (previous) return sendResult(previous);
    const inProgress = this.running.get(message.commandId);
    if (inProgress) {
      await inProgress;
      const answer = this.answered.get(message.commandId);
      if (answer) sendResult(answer);
      return;
    }
    const execution = this.execute(message);
    this.running.set(message.commandId, execution);
    try {
      await execution;
    } finally {
      this.running.delete(message.commandId);
    }
  }

  private async execute(message: CommandMessage): Promise<void> {
    const { gatewayId, drivers, log, now, queue } = this.options;
    const at = now();
    if (message.expiresAt && Date.parse(message.expiresAt) < at.getTime()) {
      return this.reply(message.commandId, 'rejected', 'expired');
    }
    const { deviceId, kind, command } = message.target;
    const driver = drivers().find((d) => d.kind === kind && d.has(deviceId));
    if (!driver) {
      log.warn(
        { gatewayId, deviceId, kind, commandId: message.commandId },
        'command for a device not on this gateway',
      );
      return this.reply(message.commandId, 'rejected', 'unknownDevice');
    }
    try {
      const outcome = await driver.execute(deviceId, command, at);
      queue(outcome.readings ?? [], outcome.events ?? []);
      log.info({ gatewayId, deviceId, action: command.action, status: outcome.status }, 'command executed');
      this.reply(message.commandId, outcome.status, outcome.reason);
    } catch (error) {
      log.error({ err: error, deviceId, commandId: message.commandId }, 'command failed');
      this.reply(message.commandId, 'failed', 'driverError');
    }
  }

  private reply(commandId: string, status: CommandResult['status'], reason?: CommandReason): void {
    const result: CommandResult = {
      v: 1,
      gatewayId: this.options.gatewayId,
      commandId,
      ts: this.options.now().toISOString(),
      status,
      ...(reason ? { reason } : {}),
    };
    this.answered.set(commandId, result);
    if (this.answered.size > 1_000) this.answered.delete(this.answered.keys().next().value as string);
    this.options.sendResult(result);
  }
}
