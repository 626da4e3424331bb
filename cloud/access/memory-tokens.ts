import { randomUUID } from 'node:crypto';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import { digest, newSecret, type TokenRecord, type TokenStore } from './tokens.ts';

/** API tokens in memory (as digests, like the SQLite store), for tests. */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens: (TokenRecord & { digest: string })[] = [];

  async create(name: string, role: Role, at: Date, secret = newSecret()) {
    const hash = digest(secret);
    if (this.tokens.some((t) => t.digest === hash)) throw new Error(`token ${name}: this secret is in use`);
    const token = { id: randomUUID(), name, role, createdAt: at.toISOString(), revoked: false, digest: hash };
    this.tokens.push(token);
    return { record: toRecord(token), secret };
  }

  async ensure(name: string, role: Role, secret: string, at: Date): Promise<void> {
    const hash = digest(secret);
    if (!this.tokens.some((t) => t.digest === hash)) await this.create(name, role, at, secret);
  }

  async verify(secret: string): Promise<Principal | undefined> {
    const hash = digest(secret);
    const token = this.tokens.find((t) => t.digest === hash && !t.revoked);
    return token && { kind: 'token', id: token.id, name: token.name, role: token.role };
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const token = this.tokens.find((t) => t.id === id);
    return token && toRecord(token);
  }

  async list(): Promise<TokenRecord[]> {
    return this.tokens
      .toSorted((a, b) =>
        a.createdAt === b.createdAt ? (a.id < b.id ? -1 : 1) : a.createdAt < b.createdAt ? -1 : 1,
      )
      .map(toRecord);
  }

  async revoke(id: string): Promise<boolean> {
    const token = this.tokens.find((t) => t.id === id);
    if (token) token.revoked = true;
    return token !== undefined;
  }
}

function toRecord({ id, name, role, createdAt, revoked }: TokenRecord): TokenRecord {
  return { id, name, role, createdAt, revoked };
}
