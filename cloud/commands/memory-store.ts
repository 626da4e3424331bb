import { type CommandStatus, finalStatuses } from './status.ts';
import type { CommandQuery, CommandRecord, CommandStore } from './store.ts';

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const copy = (record: CommandRecord): CommandRecord => structuredClone(record);

/** Commands in memory, for tests: the behaviour of the SQLite store, lost on exit. */
export class MemoryCommandStore implements CommandStore {
  private readonly records = new Map<string, CommandRecord>();

  async insert(records: CommandRecord[]): Promise<void> {
    const duplicate = records.find(
      (r, i) => this.records.has(r.id) || records.findIndex((o) => o.id === r.id) !== i,
    );
    if (duplicate) throw new Error(`command ${duplicate.id} exists already`);
    for (const { id, deviceId, gatewayId, kind, command, status, createdAt, expiresAt } of records)
      this.records.set(id, copy({ id, deviceId, gatewayId, kind, command, status, createdAt, expiresAt }));
  }

  async get(id: string): Promise<CommandRecord | undefined> {
    const record = this.records.get(id);
    return record && copy(record);
  }

  async transition(id: string, status: CommandStatus, at: string, detail?: string): Promise<boolean> {
    const record = this.records.get(id);
    if (!record || finalStatuses.includes(record.status)) return false;
    record.status = status;
    if (status === 'sent') record.sentAt = at;
    else if (status === 'delivered') record.deliveredAt = at;
    else record.completedAt = at;
    if (detail !== undefined) record.detail = detail;
    return true;
  }

  async undelivered(gatewayId: string): Promise<CommandRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.gatewayId === gatewayId && (r.status === 'pending' || r.status === 'sent'))
      .sort((a, b) => compare(a.createdAt, b.createdAt))
      .map(copy);
  }

  async overdue(now: string): Promise<CommandRecord[]> {
    return [...this.records.values()]
      .filter((r) => r.expiresAt < now && !finalStatuses.includes(r.status))
      .map(copy);
  }

  async list(query: CommandQuery): Promise<{ total: number; items: CommandRecord[] }> {
    const found = [...this.records.values()]
      .filter(
        (r) =>
          (query.status === undefined || r.status === query.status) &&
          (query.deviceId === undefined || r.deviceId === query.deviceId) &&
          (query.gatewayId === undefined || r.gatewayId === query.gatewayId),
      )
      .sort((a, b) => compare(b.createdAt, a.createdAt) || compare(a.id, b.id));
    return { total: found.length, items: found.slice(query.offset, query.offset + query.limit).map(copy) };
  }

  async pruneFinished(before: string): Promise<number> {
    let pruned = 0;
    for (const [id, r] of this.records)
      if (finalStatuses.includes(r.status) && r.completedAt !== undefined && r.completedAt < before) {
        this.records.delete(id);
        pruned++;
      }
    return pruned;
  }
}
