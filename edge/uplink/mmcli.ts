import { execFile } from 'node:child_process';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { UplinkFactory, UplinkSource } from '../../shared/uplink.ts';
import { parseSignal } from './mmcli-signal.ts';

export const mmcliSettings = z
  .object({
    /** The mmcli binary. */
    command: z.string().min(1).default('mmcli'),
    /** Which modem: ModemManager's index, or `any` (the first). */
    modem: z
      .string()
      .regex(/^(any|\d{1,3})$/, '"any" or a modem index')
      .default('any'),
    /** An answer that takes longer is abandoned (the heartbeat goes out without the uplink). */
    timeoutS: z.number().min(0.1).max(60).default(5),
  })
  .strict();
export type MmcliSettings = z.infer<typeof mmcliSettings>;

/** Runs a command with a deadline; resolves with its standard output, rejects on failure or time-out. */
export type RunCommand = (command: string, args: string[], timeoutMs: number) => Promise<string>;

export const runCommand: RunCommand = (command, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 256 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

/**
 * The uplink read from ModemManager (`mmcli -m any --signal-get -J`). A failed, slow or unreadable
 * answer is logged (with the reason, never the output) and yields no uplink.
 */
export function mmcliUplink(
  settings: MmcliSettings,
  run: RunCommand = runCommand,
  log?: Logger,
): UplinkSource {
  const args = ['-m', settings.modem, '--signal-get', '-J'];
  return {
    async read() {
      let output: string;
      try {
        output = await run(settings.command, args, settings.timeoutS * 1000);
      } catch (error) {
        log?.warn({ err: error, command: settings.command }, 'uplink: mmcli failed');
        return undefined;
      }
      const parsed = parseSignal(output);
      if (!parsed.uplink) log?.warn({ reason: parsed.reason }, 'uplink: mmcli answer not usable');
      return parsed.uplink;
    },
  };
}

/** `uplink: { "type": "mmcli", ... }` in the agent's configuration. */
export const mmcliUplinkFactory: UplinkFactory<MmcliSettings> = {
  settings: mmcliSettings,
  create: (settings, { log }) => mmcliUplink(settings, runCommand, log),
};
