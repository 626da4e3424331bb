import { type ChildProcess, fork } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Codec, DecodeResult, DownlinkInput, EncodeResult, UplinkInput } from '../codec.ts';
import { CodecSandboxError } from './failure.ts';
import type { SandboxAnswer, SandboxCall } from './protocol.ts';
import type { SandboxLimits } from './quickjs-codec.ts';

export interface SandboxOptions extends SandboxLimits {
  /**
   * How long a call may go unanswered before the sandbox process is killed and a new one started:
   * the backstop for a codec that QuickJS cannot interrupt in time (a long native call).
   */
  terminateAfterMs: number;
}

/** The process's file beside this one: `.ts` when run from the sources, `.js` once compiled. */
const processFile = fileURLToPath(
  new URL(`./sandbox-process${extname(fileURLToPath(import.meta.url))}`, import.meta.url),
);

interface Pending {
  id: number;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

interface Running {
  child: ChildProcess;
  ready: Promise<void>;
}

/**
 * The codecs of one driver that a city supplies, run in a child process (sandbox-process.ts) that
 * holds their QuickJS sandboxes: the agent runs with `node --lite-mode`, which has no WebAssembly,
 * a codec never blocks the agent's event loop, and one the sandbox cannot stop in time is stopped
 * with its process. Calls go one at a time; the process starts on the first call, and again on the
 * call after one that ended it.
 */
export class CodecSandbox {
  private readonly options: SandboxOptions;
  private running?: Running;
  /** Codecs whose source the current process has. */
  private readonly loaded = new Set<string>();
  private pending?: Pending;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 1;

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

  /** Ends the process (a call in flight fails). */
  async close(): Promise<void> {
    const running = this.running;
    this.end('the sandbox was closed');
    if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
    const exited = new Promise((resolve) => running.child.once('exit', resolve));
    // Waited for: held, so that nothing else needs to keep the event loop alive meanwhile.
    running.child.ref();
    running.child.kill('SIGKILL');
    await exited;
  }

  private call(call: Omit<SandboxCall, 'id'>, source: string): Promise<unknown> {
    const run = () => this.send(call, source);
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async send(call: Omit<SandboxCall, 'id'>, source: string): Promise<unknown> {
    const { child, ready } = this.start();
    // The deadline counts from when the process can run codecs, not from when it started loading.
    await ready;
    const id = this.nextId++;
    const first = !this.loaded.has(call.codec);
    this.loaded.add(call.codec);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        this.end(
          `no answer within ${this.options.terminateAfterMs} ms: the sandbox process was killed`,
          'codecTimeout',
        );
      }, this.options.terminateAfterMs);
      this.pending = { id, resolve, reject, timer };
      child.send({ ...call, id, ...(first ? { source } : {}) } as SandboxCall);
    });
  }

  private start(): Running {
    if (this.running) return this.running;
    const { terminateAfterMs: _, ...limits } = this.options;
    const child = fork(processFile, [JSON.stringify(limits)], {
      // Not the agent's flags: `--lite-mode` turns WebAssembly off.
      execArgv: [],
      // Structured clone, so that an uplink's recvTime stays a Date.
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-500);
    });
    // The agent's MQTT connections keep it alive, never its codecs.
    child.unref();
    child.channel?.unref();
    const ready = new Promise<void>((resolve, reject) => {
      // Its first message says it is ready; every other one answers a call.
      child.on('message', (message: SandboxAnswer | { ready: true }) =>
        'id' in message ? this.answer(message) : resolve(),
      );
      child.once('exit', (code) =>
        reject(
          new CodecSandboxError(
            'codecThrew',
            `the sandbox process did not start (exit ${code}): ${stderr.trim()}`,
          ),
        ),
      );
    });
    child.on('error', (error) => this.end(`the sandbox process failed: ${error.message}`));
    child.on('exit', () => {
      if (this.running?.child === child) this.end('the sandbox process exited');
    });
    this.running = { child, ready };
    return this.running;
  }

  private answer(answer: SandboxAnswer): void {
    const pending = this.pending;
    if (pending?.id !== answer.id) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    if (answer.ok) pending.resolve(answer.output);
    else pending.reject(new CodecSandboxError(answer.code, answer.message));
  }

  /** Forgets the process (the next call starts a new one) and fails the call in flight, if any. */
  private end(message: string, code: 'codecTimeout' | 'codecThrew' = 'codecThrew'): void {
    this.running = undefined;
    this.loaded.clear();
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    clearTimeout(pending.timer);
    pending.reject(new CodecSandboxError(code, message));
  }
}
