import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Codec, DecodeResult, DownlinkInput, EncodeResult, UplinkInput } from '../codec.ts';
import { CodecSandboxError } from './failure.ts';
import type { SandboxAnswer, SandboxCall } from './protocol.ts';
import type { SandboxLimits } from './quickjs-codec.ts';

export interface SandboxOptions extends SandboxLimits {
  /**
   * How long a call may go unanswered before the sandbox thread is ended and a new one started: the
   * backstop for a codec that QuickJS cannot interrupt in time (a long native call).
   */
  terminateAfterMs: number;
}

/** The worker's file beside this one: `.ts` when run from the sources, `.js` once compiled. */
const workerFile = new URL(`./codec-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

interface Pending {
  id: number;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * The codecs of one driver that a city supplies, run in a worker thread (codec-worker.ts) that holds
 * their QuickJS sandboxes: a codec never blocks the agent's event loop, and one the sandbox cannot
 * stop in time is stopped with its thread. Calls go one at a time; the thread starts on the first
 * call, and again on the call after one that ended it.
 */
export class CodecSandbox {
  private readonly options: SandboxOptions;
  private worker?: { thread: Worker; ready: Promise<void> };
  /** Codecs whose source the current thread has. */
  private readonly loaded = new Set<string>();
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;
  /** How many times the thread was ended because a call outlasted `terminateAfterMs`. */
  restarts = 0;

  constructor(options: SandboxOptions) {
    this.options = options;
  }

  /** A codec whose calls run in this sandbox; `key` names it there (its file), `source` is its code. */
  codec(key: string, source: string): Codec {
    return {
      decodeUplink: (input: UplinkInput) =>
        this.call({ codec: key, fileName: key, fn: 'decodeUplink', input }, source) as Promise<DecodeResult>,
      encodeDownlink: (input: DownlinkInput) =>
        this.call(
          { codec: key, fileName: key, fn: 'encodeDownlink', input },
          source,
        ) as Promise<EncodeResult>,
    };
  }

  /** Ends the thread (a call in flight fails). */
  async close(): Promise<void> {
    const worker = this.worker;
    this.end('the sandbox was closed');
    await worker?.thread.terminate();
  }

  private call(call: Omit<SandboxCall, 'id'>, source: string): Promise<unknown> {
    const run = () => this.send(call, source);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async send(call: Omit<SandboxCall, 'id'>, source: string): Promise<unknown> {
    const { thread: worker, ready } = this.thread();
    // The deadline counts from when the thread can run codecs, not from when it started loading.
    await ready;
    const id = this.nextId++;
    const first = !this.loaded.has(call.codec);
    this.loaded.add(call.codec);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.restarts++;
        void worker.terminate();
        this.end(
          `no answer within ${this.options.terminateAfterMs} ms: the sandbox thread was ended`,
          'codecTimeout',
        );
      }, this.options.terminateAfterMs);
      this.pending = { id, resolve, reject, timer };
      worker.postMessage({ ...call, id, ...(first ? { source } : {}) } as SandboxCall);
    });
  }

  private thread(): { thread: Worker; ready: Promise<void> } {
    if (this.worker) return this.worker;
    const { terminateAfterMs: _, ...limits } = this.options;
    const thread = new Worker(workerFile, { workerData: limits });
    // The agent's MQTT connections keep the process alive, never its codecs.
    thread.unref();
    const ready = new Promise<void>((resolve, reject) => {
      // Its first message says it is ready; every other one answers a call.
      thread.on('message', (message: SandboxAnswer | { ready: true }) =>
        'id' in message ? this.answer(message) : resolve(),
      );
      thread.once('error', reject);
      thread.once('exit', () =>
        reject(new CodecSandboxError('codecThrew', 'the sandbox thread did not start')),
      );
    });
    thread.on('error', (error) => this.end(`the sandbox thread failed: ${error.message}`));
    thread.on('exit', () => {
      if (this.worker?.thread === thread) this.end('the sandbox thread exited');
    });
    this.worker = { thread, ready };
    return this.worker;
  }

  private answer(answer: SandboxAnswer): void {
    const pending = this.pending;
    if (pending?.id !== answer.id) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (answer.ok) pending.resolve(answer.output);
    else pending.reject(new CodecSandboxError(answer.code, answer.message));
  }

  /** Forgets the thread (the next call starts a new one) and fails the call in flight, if any. */
  private end(message: string, code: 'codecTimeout' | 'codecThrew' = 'codecThrew'): void {
    this.worker = undefined;
    this.loaded.clear();
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.reject(new CodecSandboxError(code, message));
  }
}
