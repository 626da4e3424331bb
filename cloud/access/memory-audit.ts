import type { AuditEntry, AuditLog } from './audit.ts';

/** What a value reads back as from a store that keeps it as JSON; null when not given. */
const asStored = (value: unknown) => (value === undefined ? null : JSON.parse(JSON.stringify(value)));

/** The audit log in memory, for tests. */
export class MemoryAuditLog implements AuditLog {
  private entries: AuditEntry[] = [];
  private lastId = 0;

  async record(entry: Omit<AuditEntry, 'id'>): Promise<void> {
    this.entries.push({
      ...entry,
      id: ++this.lastId,
      before: asStored(entry.before),
      after: asStored(entry.after),
    });
  }

  async list(limit: number, offset: number): Promise<{ total: number; items: AuditEntry[] }> {
    const newestFirst = this.entries.toReversed();
    return {
      total: this.entries.length,
      items: newestFirst
        .slice(offset, offset + limit)
        .map((e) => ({ ...e, before: asStored(e.before), after: asStored(e.after) })),
    };
  }

  async pruneBefore(before: string): Promise<number> {
    const kept = this.entries.filter((e) => e.at >= before);
    const pruned = this.entries.length - kept.length;
    this.entries = kept;
    return pruned;
  }
}
