import type { SessionRecord, SessionStore } from './sessions.ts';

/** Browser sessions in memory (by digest, like the SQLite store), for tests. */
export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  async create(session: SessionRecord): Promise<void> {
    if (this.sessions.has(session.digest)) throw new Error('a session with this digest exists');
    this.sessions.set(session.digest, { ...session });
  }

  async get(digest: string): Promise<SessionRecord | undefined> {
    const session = this.sessions.get(digest);
    return session && { ...session };
  }

  async touch(digest: string, lastSeenAt: Date): Promise<void> {
    const session = this.sessions.get(digest);
    if (session) session.lastSeenAt = lastSeenAt.toISOString();
  }

  async delete(digest: string): Promise<boolean> {
    return this.sessions.delete(digest);
  }

  async deleteForUser(username: string, except?: string): Promise<number> {
    return this.deleteWhere((s) => s.username === username && s.digest !== except);
  }

  async deleteExpired(idleBefore: Date, createdBefore: Date): Promise<number> {
    const idle = idleBefore.toISOString();
    const created = createdBefore.toISOString();
    return this.deleteWhere((s) => s.lastSeenAt < idle || s.createdAt < created);
  }

  private deleteWhere(matches: (session: SessionRecord) => boolean): number {
    let deleted = 0;
    for (const [digest, session] of this.sessions)
      if (matches(session)) {
        this.sessions.delete(digest);
        deleted++;
      }
    return deleted;
  }
}
