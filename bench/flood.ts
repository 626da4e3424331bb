import { fileURLToPath } from 'node:url';
import type { FloodProgress, FloodResult, FloodSpec } from './flood-worker.ts';
import { int, say } from './util.ts';
import { forkWorker } from './worker.ts';

const workerPath = fileURLToPath(new URL('./flood-worker.ts', import.meta.url));

/** Starts a flooding tenant's gateways in their own process (bench/flood-worker.ts), with progress every second. */
export function startFlood(spec: FloodSpec, label: string): { pid: number; result: Promise<FloodResult> } {
  let last = { at: performance.now(), acked: 0 };
  return forkWorker<FloodProgress, FloodResult>(workerPath, spec, `flooder ${label}`, (message) => {
    const now = performance.now();
    const rate = (message.acked - last.acked) / ((now - last.at) / 1000);
    last = { at: now, acked: message.acked };
    say(
      `${label}: flooder sent ${int(message.sent)}, ${int(rate)} messages/s acknowledged; ${int(message.disconnects)} disconnects, ${int(message.skipped)} not sent (gateway disconnected or window full)`,
    );
  });
}
