import { parentPort, workerData } from 'node:worker_threads';
import { CodecSandboxError } from './failure.ts';
import type { SandboxAnswer, SandboxCall } from './protocol.ts';
import { QuickJSCodec, type SandboxLimits } from './quickjs-codec.ts';

/**
 * The sandbox thread: runs the codecs of one driver in QuickJS, one call at a time, as the driver's
 * CodecSandbox sends them. Its host ends it when a call outlasts its deadline.
 */
const limits = workerData as SandboxLimits;
const codecs = new Map<string, QuickJSCodec>();
const port = parentPort;
if (!port) throw new Error('codec-worker.ts runs as a worker thread');

port.on('message', async (call: SandboxCall) => {
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
  port.postMessage(answer);
});
// Loaded and listening: the host starts its deadlines from here.
port.postMessage({ ready: true });
