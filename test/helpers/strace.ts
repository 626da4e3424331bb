import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { waitFor } from './wait.ts';

/** Whether strace runs here (the fault tests that inject system-call errors skip without it). */
export const straceAvailable = spawnSync('strace', ['-V']).status === 0;

/**
 * Attaches strace to every thread of `pid` (the journal is written by the storage thread and flushed
 * in libuv's thread pool) and makes `syscall` on `path` fail with `error` (`when`: strace's
 * `inject=…:when=` expression, every call by default); resolves once the threads are attached.
 * The fault lasts until `stop()` (SIGINT: strace detaches and the process carries on untraced).
 */
export async function injectSyscallError(options: {
  pid: number;
  path: string;
  syscall: string;
  error: string;
  when?: string;
}): Promise<{ tracer: ChildProcess; stop(): Promise<void> }> {
  const when = options.when ? `:when=${options.when}` : '';
  const tracer = spawn(
    'strace',
    [
      '-f',
      '-p',
      String(options.pid),
      '-P',
      options.path,
      '-o',
      '/dev/null',
      '-e',
      `trace=${options.syscall}`,
      '-e',
      `inject=${options.syscall}:error=${options.error}${when}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => tracer.once('exit', () => resolve()));
  // strace says "Process <pid> attached with <n> threads" once it has seized them all.
  let said = '';
  tracer.stderr?.on('data', (chunk: Buffer) => {
    said += chunk.toString();
  });
  await waitFor('strace attached to every thread', () => /attached/.test(said));
  return {
    tracer,
    async stop() {
      if (tracer.exitCode === null && tracer.signalCode === null) tracer.kill('SIGINT');
      await exited;
    },
  };
}
