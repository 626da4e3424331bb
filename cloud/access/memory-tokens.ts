import { randomUUID } from 'node:crypto';
import { defaultOwner, type Owner } from './owner.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import { digest, newSecret, type TokenRecord, type TokenStore } from './tokens.ts';

/** API tokens in memory (as digests, like the SQLite store), for tests. */
export class MemoryTokenStore implements TokenStore {
  private readonly tokens: (TokenRecord & { digest: string })[] = [];

  async create(name: string, role: Role, at: Date, secret = newSecret(), by: Owner = defaultOwner) {
    const hash = digest(secret);
    if (this.tokens.some((t) => t.digest === hash)) throw new Error(`token ${name}: this secret is in use`);
    const token = {
      id: randomUUID(),
      name,
      role,
      createdAt: at.toISOString(),
      revoked: false,
      tenant: by.tenant,
      grants: [...by.grants],
      digest: hash,
    };
    this.tokens.push(token);
    return { record: toRecord(token), secret };
  }

  async ensure(name: string, role: Role, secret: string, at: Date, by: Owner = defaultOwner): Promise<void> {
    const hash = digest(secret);
    if (!this.tokens.some((t) => t.digest === hash)) await this.create(name, role, at, secret, by);
  }

  async verify(secret: string): Promise<Principal | undefined> {
    const hash = digest(secret);
    const token = this.tokens.find((t) => t.digest === hash && !t.revoked);
    return (
      token && {
        kind: 'token',
        id: token.id,
        name: token.name,
        role: token.role,
        tenant: token.tenant,
        grants: [...token.grants],
      }
    );
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

  async removeTenant(tenant: string): Promise<number> {
    const before = this.tokens.length;
    const kept = this.tokens.filter((t) => t.tenant !== tenant);
    for (const token of kept)
      if (token.tenant === null) token.grants = token.grants.filter((g) => g !== tenant);
    this.tokens.splice(0, this.tokens.length, ...kept);
    return before - kept.length;
  }
}

function toRecord({ id, name, role, createdAt, revoked, tenant, grants }: TokenRecord): TokenRecord {
  return { id, name, role, createdAt, revoked, tenant, grants: [...grants] };
}
