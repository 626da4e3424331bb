import { fork } from 'node:child_process';
import { onCleanup } from './cleanup.ts';

/**
 * Forks a benchmark worker (a module that takes its spec as the first IPC message, sends
 * `{ type: 'progress' }` messages and ends with one `{ type: 'done' }`), so that its CPU is its own
 * and the orchestrator stays responsive. Killed at cleanup if it is still running.
 */
export function forkWorker<P extends { type: 'progress' }, R extends { type: 'done' }>(
  path: string,
  spec: unknown,
  label: string,
  onProgress: (progress: P) => void,
): { pid: number; result: Promise<R> } {
  const child = fork(path, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const stop = onCleanup(label, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const result = new Promise<R>((resolve, reject) => {
    child.on('message', (message: P | R) => {
      if (message.type === 'progress') onProgress(message as P);
      else resolve(message as R);
    });
    // 'close' comes after the IPC channel closed, so the result message has been seen by then.
    child.once('close', (code) => {
      void stop();
      reject(new Error(`${label} exited with ${code} before reporting`));
    });
  });
  child.send(spec as object);
  return { pid: child.pid as number, result };
}
