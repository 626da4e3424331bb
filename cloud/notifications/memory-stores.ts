import type { DeliveryLog, DeliveryQuery, DeliveryRecord, DeliveryState } from './delivery-log.ts';
import type { SentKey, SentKeys, SentState } from './sent-keys.ts';

/** The delivery log in memory, for tests. */
export class MemoryDeliveryLog implements DeliveryLog {
  /** In the order started. */
  private readonly records: DeliveryRecord[] = [];

  async start(
    record: Pick<DeliveryRecord, 'id' | 'channel' | 'event' | 'subjectId' | 'transition'>,
    at: string,
  ): Promise<void> {
    if (this.records.some((r) => r.id === record.id)) throw new Error(`delivery ${record.id} exists`);
    this.records.push({ ...record, state: 'pending', attempts: 0, createdAt: at, updatedAt: at });
  }

  async attempt(
    id: string,
    outcome: { status?: number; error?: string; state: DeliveryState },
    at: string,
  ): Promise<void> {
    const record = this.records.find((r) => r.id === id);
    if (!record) return;
    record.attempts += 1;
    record.lastStatus = outcome.status;
    record.lastError = outcome.error;
    record.state = outcome.state;
    record.updatedAt = at;
  }

  async finish(
    id: string,
    state: Exclude<DeliveryState, 'pending'>,
    error: string,
    at: string,
  ): Promise<void> {
    const record = this.records.find((r) => r.id === id);
    if (!record) return;
    Object.assign(record, { state, lastError: error, updatedAt: at });
  }

  async get(id: string): Promise<DeliveryRecord | undefined> {
    const record = this.records.find((r) => r.id === id);
    return record && { ...record };
  }

  async list(query: DeliveryQuery = {}): Promise<DeliveryRecord[]> {
    return this.records
      .map((record, seq) => ({ record, seq }))
      .filter(
        ({ record }) =>
          (query.channel === undefined || record.channel === query.channel) &&
          (query.subjectId === undefined || record.subjectId === query.subjectId) &&
          (query.state === undefined || record.state === query.state),
      )
      .sort((a, b) =>
        a.record.createdAt === b.record.createdAt
          ? b.seq - a.seq
          : a.record.createdAt < b.record.createdAt
            ? 1
            : -1,
      )
      .slice(0, query.limit ?? 100)
      .map(({ record }) => ({ ...record }));
  }

  async pruneBefore(before: string): Promise<number> {
    const kept = this.records.filter((r) => r.createdAt >= before);
    const removed = this.records.length - kept.length;
    this.records.splice(0, this.records.length, ...kept);
    return removed;
  }
}

const keyOf = (key: SentKey) => JSON.stringify([key.subjectId, key.transition, key.channel]);

/** The sent keys in memory, for tests. */
export class MemorySentKeys implements SentKeys {
  private readonly keys = new Map<string, { state: SentState; claimedAt: string }>();

  async claim(key: SentKey, at: string): Promise<boolean> {
    if (this.keys.has(keyOf(key))) return false;
    this.keys.set(keyOf(key), { state: 'sending', claimedAt: at });
    return true;
  }

  async settle(key: SentKey, state: Exclude<SentState, 'sending'>, _at: string): Promise<void> {
    const entry = this.keys.get(keyOf(key));
    if (entry) entry.state = state;
  }

  async state(key: SentKey): Promise<SentState | undefined> {
    return this.keys.get(keyOf(key))?.state;
  }

  async pruneBefore(before: string): Promise<number> {
    let removed = 0;
    for (const [key, entry] of this.keys)
      if (entry.claimedAt < before) {
        this.keys.delete(key);
        removed++;
      }
    return removed;
  }
}
