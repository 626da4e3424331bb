import { parentPort, type Transferable, Worker } from 'node:worker_threads';
import { workerThreadLimits } from './thread-limits.ts';

/** What a one-answer thread posts: its answer, or why it has none. */
type ThreadAnswer<A> = { answer: A } | { failed: string };

/**
 * Asks a thread of its own (the module at `url`, which answers with `answerOnce`) one question, and
 * ends it once answered: a few hundred ms or seconds of CPU kept off the main thread, which answers
 * the API and ingests meanwhile, and their garbage gone with the thread. `transfer`: buffers of the
 * question handed over, not copied. Rejects, saying `what` failed, if the thread fails or ends first.
 */
export function askThread<Q, A>(
  url: URL,
  what: string,
  question: Q,
  transfer: Transferable[] = [],
): Promise<A> {
  const worker = new Worker(url, { resourceLimits: workerThreadLimits });
  return new Promise<A>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`${what} thread failed: ${why}`));
    worker.once('error', (error) => fail(error.message));
    worker.once('exit', (code) => fail(`it exited (code ${code}) before answering`));
    worker.once('message', (posted: ThreadAnswer<A>) => {
      if ('failed' in posted) fail(posted.failed);
      else resolve(posted.answer);
    });
    worker.postMessage(question, transfer);
  }).finally(() => void worker.terminate());
}

/**
 * In a thread `askThread` started: answers its one question with what `answer` makes of it (and the
 * buffers of the answer to hand over, not copy), or with why it could not.
 */
export function answerOnce<Q, A>(answer: (question: Q) => { answer: A; transfer?: Transferable[] }): void {
  parentPort?.once('message', (question: Q) => {
    try {
      const made = answer(question);
      parentPort?.postMessage({ answer: made.answer } satisfies ThreadAnswer<A>, made.transfer ?? []);
    } catch (error) {
      parentPort?.postMessage({ failed: (error as Error).message } satisfies ThreadAnswer<A>);
    }
  });
}
