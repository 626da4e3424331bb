import {
  type DeadLetter,
  type DeadLetterInput,
  type DeadLetterQuery,
  type DeadLetterStore,
  type DeadLetterStoreOptions,
  defaultMaxRows,
  defaultQuotaBytes,
  fitQuotas,
  type GatewayUsage,
  letterBytes,
  payloadText,
  type RawPayload,
} from './store.ts';

interface Kept {
  id: number;
  letter: DeadLetterInput;
}

/** Dead letters in memory, for tests: bounded as the SQLite store is. */
export class MemoryDeadLetterStore implements DeadLetterStore {
  private letters: Kept[] = [];
  private lastId = 0;
  private readonly dropped = new Map<string, number>();
  private readonly captures = new Map<string, Date>();
  private readonly maxRows: number;
  private readonly quotaBytes: number;
  private readonly totalQuotaBytes: () => number;
  private readonly now: () => Date;

  constructor(options: DeadLetterStoreOptions = {}) {
    this.maxRows = options.maxRows ?? defaultMaxRows;
    this.quotaBytes = options.quotaBytes ?? defaultQuotaBytes;
    this.totalQuotaBytes = options.totalQuotaBytes ?? (() => Number.POSITIVE_INFINITY);
    this.now = options.now ?? (() => new Date());
  }

  async add(offered: DeadLetterInput): Promise<boolean> {
    const key = offered.gatewayId ?? '';
    const bytesOf = (letters: Kept[]) => letters.reduce((sum, l) => sum + letterBytes(l.letter), 0);
    const used = bytesOf(this.letters.filter((l) => (l.letter.gatewayId ?? '') === key));
    const letter = fitQuotas(offered, [
      { used, quota: this.quotaBytes },
      { used: bytesOf(this.letters), quota: this.totalQuotaBytes() },
    ]);
    if (!letter) {
      this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
      return false;
    }
    this.letters.push({ id: ++this.lastId, letter: structuredClone(letter) });
    this.letters = this.letters.filter((l) => l.id > this.lastId - this.maxRows);
    return true;
  }

  async list(query: DeadLetterQuery): Promise<{ total: number; items: DeadLetter[] }> {
    const found = this.letters
      .filter(
        ({ letter }) =>
          (!query.gatewayId || letter.gatewayId === query.gatewayId) &&
          (!query.reason || letter.rejections.some((r) => r.reason === query.reason)),
      )
      .reverse();
    const now = this.now();
    return {
      total: found.length,
      items: found.slice(query.offset, query.offset + query.limit).map(({ id, letter }) => ({
        id,
        receivedAt: letter.receivedAt.toISOString(),
        topic: letter.topic,
        ...(letter.gatewayId === undefined ? {} : { gatewayId: letter.gatewayId }),
        rejections: structuredClone(letter.rejections),
        size: letter.size,
        sha256: letter.sha256,
        shape: structuredClone(letter.shape),
        ...(letter.raw && letter.raw.expiresAt > now
          ? { rawExpiresAt: letter.raw.expiresAt.toISOString() }
          : {}),
      })),
    };
  }

  async rawPayload(id: number): Promise<RawPayload | undefined> {
    const kept = this.letters.find((l) => l.id === id);
    const raw = kept?.letter.raw;
    if (!kept || !raw) return undefined;
    if (raw.expiresAt <= this.now()) {
      delete kept.letter.raw;
      return undefined;
    }
    return { ...payloadText(raw.payload), expiresAt: raw.expiresAt.toISOString() };
  }

  async dropExpiredPayloads(): Promise<number> {
    let dropped = 0;
    for (const { letter } of this.letters) {
      if (letter.raw && letter.raw.expiresAt <= this.now()) {
        delete letter.raw;
        dropped++;
      }
    }
    return dropped;
  }

  async pruneBefore(before: string): Promise<number> {
    const kept = this.letters.filter((l) => l.letter.receivedAt.toISOString() >= before);
    const pruned = this.letters.length - kept.length;
    this.letters = kept;
    return pruned;
  }

  async usage(): Promise<GatewayUsage[]> {
    const usage = new Map<string, GatewayUsage>();
    const of = (key: string) => {
      const found = usage.get(key) ?? {
        ...(key === '' ? {} : { gatewayId: key }),
        bytes: 0,
        letters: 0,
        dropped: 0,
      };
      usage.set(key, found);
      return found;
    };
    for (const { letter } of this.letters) {
      const u = of(letter.gatewayId ?? '');
      u.bytes += letterBytes(letter);
      u.letters++;
    }
    for (const [key, n] of this.dropped) of(key).dropped = n;
    return [...usage.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
  }

  async setCapture(gatewayId: string, until: Date | undefined): Promise<void> {
    if (until === undefined) this.captures.delete(gatewayId);
    else this.captures.set(gatewayId, until);
  }

  async capture(gatewayId: string): Promise<Date | undefined> {
    const until = this.captures.get(gatewayId);
    return until && until > this.now() ? new Date(until) : undefined;
  }
}
