import type { Rejection } from './rejection.ts';
import {
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterQuery,
  type DeadLetterStore,
  payloadText,
} from './store.ts';

interface Kept {
  id: number;
  receivedAt: string;
  topic: string;
  gatewayId: string | undefined;
  payload: Buffer;
  rejections: Rejection[];
}

/** Dead letters in memory, for tests: the newest `maxRows` are kept, as in the SQLite store. */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private letters: Kept[] = [];
  private lastId = 0;
  private readonly maxRows: number;

  constructor(maxRows = 100_000) {
    this.maxRows = maxRows;
  }

  async add(letter: DeadLetterInput): Promise<void> {
    this.letters.push({
      id: ++this.lastId,
      receivedAt: letter.receivedAt.toISOString(),
      topic: letter.topic,
      gatewayId: letter.gatewayId,
      payload: Buffer.from(letter.payload),
      rejections: letter.rejections.map((r) => ({ ...r })),
    });
    this.letters = this.letters.filter((l) => l.id > this.lastId - this.maxRows);
  }

  async list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const found = this.letters
      .filter(
        (l) =>
          (!query.gatewayId || l.gatewayId === query.gatewayId) &&
          (!query.reason || l.rejections.some((r) => r.reason === query.reason)),
      )
      .reverse();
    return {
      total: found.length,
      items: found.slice(query.offset, query.offset + query.limit).map(({ payload, rejections, ...l }) => ({
        ...l,
        rejections: rejections.map((r) => ({ ...r })),
        ...payloadText(payload),
      })),
    };
  }

  async pruneBefore(before: string): Promise<number> {
    const kept = this.letters.filter((l) => l.receivedAt >= before);
    const pruned = this.letters.length - kept.length;
    this.letters = kept;
    return pruned;
  }
}
