import variant from '@jitl/quickjs-wasmfile-release-sync';
import {
  newQuickJSWASMModuleFromVariant,
  type QuickJSContext,
  type QuickJSHandle,
  type QuickJSRuntime,
  type QuickJSSyncVariant,
  type QuickJSWASMModule,
  shouldInterruptAfterDeadline,
} from 'quickjs-emscripten-core';
import type { z } from 'zod';
import {
  type Codec,
  type DecodeResult,
  type DownlinkInput,
  decodeResult,
  type EncodeResult,
  encodeResult,
  type UplinkInput,
} from '../codec.ts';
import { CodecSandboxError, type SandboxFailure } from './failure.ts';

/**
 * A city's codec (a JavaScript file in the TTN / ChirpStack style) runs inside QuickJS compiled to
 * WebAssembly: a separate heap with no host objects. The context has ECMAScript's built-ins only
 * (no `fetch`, `require`, `process`, timers or console; `import` finds no module), so a codec can
 * compute and nothing else. Each codec has its own QuickJS runtime with a memory limit and a stack
 * limit, and every call a deadline after which QuickJS interrupts it. This runs in the sandbox
 * process (sandbox-process.ts), whose host kills it when a call outlasts the deadline anyway
 * (QuickJS checks it between bytecodes, not inside native code: near its memory limit it collects
 * garbage on every allocation, and a codec hoarding memory ran 7 s past a 100 ms deadline).
 *
 * The runtime and the context with the codec loaded are kept between calls (~18 µs a call, against
 * ~380 µs to build them anew); a codec may therefore keep state between uplinks, as a long-lived
 * one in a network server may. Any failure throws the runtime away, so the next call starts clean.
 */
export interface SandboxLimits {
  /** Time one call may run, loading the codec included on its first call. */
  timeoutMs: number;
  /** QuickJS heap of the codec. */
  memoryBytes: number;
  stackBytes: number;
  /** Length of the JSON a call may return. */
  maxOutputChars: number;
}

/**
 * A QuickJS WebAssembly instance (~11 ms for the first, ~4 ms for the next: the compiled module is
 * cached). Each codec has its own, so that an instance that aborts (QuickJS asserts and the
 * instance is dead) takes no other codec with it; the codec then gets a new one.
 */
function newInstance(): Promise<QuickJSWASMModule> {
  // The package's type declarations describe its CommonJS build; imported as ESM, its default export
  // is the variant itself.
  return newQuickJSWASMModuleFromVariant(variant as unknown as QuickJSSyncVariant);
}

/**
 * Called inside the sandbox with the function's name and its input as JSON; answers JSON. The input
 * crosses as text, so no host object ever enters the sandbox.
 */
const bridge = `(function (name, json) {
  var input = JSON.parse(json);
  if (typeof input.recvTime === 'number') input.recvTime = new Date(input.recvTime);
  return JSON.stringify(globalThis[name](input));
})`;

type CallResult = ReturnType<QuickJSContext['evalCode']>;

interface Loaded {
  runtime: QuickJSRuntime;
  context: QuickJSContext;
  bridge: QuickJSHandle;
}

/** The code of a QuickJS error thrown by a call. */
function failureOf(name: unknown, message: unknown): SandboxFailure {
  if (name !== 'InternalError') return 'codecThrew';
  if (message === 'interrupted') return 'codecTimeout';
  if (message === 'out of memory') return 'codecOutOfMemory';
  if (message === 'stack overflow') return 'codecStackOverflow';
  return 'codecThrew';
}

export class QuickJSCodec implements Codec {
  private readonly source: string;
  /** The file name QuickJS gives in stack traces. */
  private readonly fileName: string;
  private readonly limits: SandboxLimits;
  private instance?: Promise<QuickJSWASMModule>;
  private vm?: Loaded;

  constructor(source: string, fileName: string, limits: SandboxLimits) {
    this.source = source;
    this.fileName = fileName;
    this.limits = limits;
  }

  async decodeUplink(input: UplinkInput): Promise<DecodeResult> {
    const json = JSON.stringify({ ...input, recvTime: input.recvTime.getTime() });
    return this.validated(decodeResult, await this.call('decodeUplink', json));
  }

  async encodeDownlink(input: DownlinkInput): Promise<EncodeResult> {
    return this.validated(encodeResult, await this.call('encodeDownlink', JSON.stringify(input)));
  }

  dispose(): void {
    const vm = this.vm;
    this.vm = undefined;
    if (!vm) return;
    try {
      vm.bridge.dispose();
      vm.context.dispose();
      vm.runtime.dispose();
    } catch {
      // The instance aborted: it is dropped whole (its memory goes with it) and the next call gets a new one.
      this.instance = undefined;
    }
  }

  private validated<T>(schema: z.ZodType<T>, output: unknown): T {
    const parsed = schema.safeParse(output);
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new CodecSandboxError('codecBadOutput', `the codec's answer has the wrong shape: ${where}`);
  }

  private async call(name: 'decodeUplink' | 'encodeDownlink', json: string): Promise<unknown> {
    this.instance ??= newInstance();
    const module = await this.instance;
    const deadline = Date.now() + this.limits.timeoutMs;
    try {
      const vm = this.load(module, deadline);
      vm.runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
      const { context } = vm;
      const fn = context.getProp(context.global, name);
      const kind = context.typeof(fn);
      fn.dispose();
      if (kind !== 'function')
        throw new CodecSandboxError('codecMissingFunction', `the codec has no ${name}`);
      const nameHandle = context.newString(name);
      const jsonHandle = context.newString(json);
      const result = context.callFunction(vm.bridge, context.undefined, nameHandle, jsonHandle);
      nameHandle.dispose();
      jsonHandle.dispose();
      const text = this.unwrap(context, result);
      if (text === undefined) throw new CodecSandboxError('codecBadOutput', `${name} returned nothing`);
      if (text.length > this.limits.maxOutputChars)
        throw new CodecSandboxError(
          'codecOutputTooLarge',
          `${name} returned ${text.length} characters of JSON (at most ${this.limits.maxOutputChars})`,
        );
      return JSON.parse(text);
    } catch (error) {
      this.dispose();
      if (error instanceof CodecSandboxError) throw error;
      // The WebAssembly instance itself failed (its own stack ran out before QuickJS's limit, or it
      // aborted): a new one serves the next call.
      this.instance = undefined;
      const overflow = error instanceof RangeError && /call stack/.test(error.message);
      throw new CodecSandboxError(overflow ? 'codecStackOverflow' : 'codecThrew', (error as Error).message);
    }
  }

  /** The codec's runtime, loaded now if the last call threw it away (or there was none). */
  private load(module: QuickJSWASMModule, deadline: number): Loaded {
    if (this.vm) return this.vm;
    const runtime = module.newRuntime({
      memoryLimitBytes: this.limits.memoryBytes,
      maxStackSizeBytes: this.limits.stackBytes,
      interruptHandler: shouldInterruptAfterDeadline(deadline),
    });
    const context = runtime.newContext();
    // Kept before the codec runs, so that a failure while loading it disposes all of it.
    this.vm = { runtime, context, bridge: context.undefined };
    this.unwrap(context, context.evalCode(this.source, this.fileName));
    this.vm.bridge = this.handle(context, context.evalCode(bridge, 'bridge.js'));
    return this.vm;
  }

  /** A call's answer as a string (undefined for anything else); the error it threw as a CodecSandboxError. */
  private unwrap(context: QuickJSContext, result: CallResult): string | undefined {
    const value = this.handle(context, result);
    const text = context.typeof(value) === 'string' ? context.getString(value) : undefined;
    value.dispose();
    return text;
  }

  /** A call's answer, or the error it threw (disposed) as a CodecSandboxError. */
  private handle(context: QuickJSContext, result: CallResult): QuickJSHandle {
    if (result.error) {
      const error = result.error;
      let name: unknown;
      let message: unknown;
      try {
        const dumped = context.dump(error) as { name?: unknown; message?: unknown } | undefined;
        name = dumped?.name;
        message = dumped?.message;
      } finally {
        error.dispose();
      }
      const text = typeof message === 'string' ? message : String(message);
      throw new CodecSandboxError(failureOf(name, message), `${String(name ?? 'Error')}: ${text}`);
    }
    return result.value;
  }
}
