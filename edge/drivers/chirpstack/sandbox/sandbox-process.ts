import { CodecSandboxError } from './failure.ts';
import type { SandboxAnswer, SandboxCall } from './protocol.ts';
import { QuickJSCodec, type SandboxLimits } from './quickjs-codec.ts';

/**
 * The sandbox process: runs the codecs of one driver in QuickJS, one call at a time, as the driver's
 * CodecSandbox sends them over IPC. A process of its own, because the agent runs with
 * `node --lite-mode`, which has no WebAssembly; and its host can kill it outright when a call
 * outlasts its deadline. It ends when the agent does (its IPC channel closes).
 */
const send = process.send?.bind(process);
if (!send) throw new Error('sandbox-process.ts runs as a child process with an IPC channel');
const limits = JSON.parse(process.argv[2] ?? '{}') as SandboxLimits;
const codecs = new Map<string, QuickJSCodec>();

process.on('message', async (call: SandboxCall) => {
  let answer: SandboxAnswer;
  try {
    let codec = codecs.get(call.codec);
    if (!codec) {
      if (call.source === undefined) throw new CodecSandboxError('codecThrew', 'the codec was not sent');
      codec = new QuickJSCodec(call.source, call.fileName, limits);
      codecs.set(call.codec, codec);
    }
    const output =
      call.fn === 'decodeUplink'
        ? await codec.decodeUplink(call.input)
        : await codec.encodeDownlink(call.input);
    answer = { id: call.id, ok: true, output };
  } catch (error) {
    const code = error instanceof CodecSandboxError ? error.code : 'codecThrew';
    answer = { id: call.id, ok: false, code, message: (error as Error).message };
  }
  send(answer);
});
process.on('disconnect', () => process.exit(0));
// Loaded and listening: the host starts its deadlines from here.
send({ ready: true });
