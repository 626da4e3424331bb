import type { Owner } from './owner.ts';
import type { Principal } from './principal.ts';
import type { Role } from './roles.ts';
import type { TokenRecord, TokenStore } from './tokens.ts';

/**
 * One tenant's API tokens (or, with `tenant` null, the region's) out of the installation's store:
 * another's answer as if they did not exist, and a token made here belongs here.
 */
export class ScopedTokenStore implements TokenStore {
  private readonly inner: TokenStore;
  private readonly tenant: string | null;

  constructor(inner: TokenStore, tenant: string | null) {
    this.inner = inner;
    this.tenant = tenant;
  }

  private owner(grants: string[] = []): Owner {
    return { tenant: this.tenant, grants: this.tenant === null ? grants : [] };
  }

  create(name: string, role: Role, at: Date, secret?: string, by?: Owner) {
    return this.inner.create(name, role, at, secret, this.owner(by?.grants));
  }

  ensure(name: string, role: Role, secret: string, at: Date, by?: Owner): Promise<void> {
    return this.inner.ensure(name, role, secret, at, this.owner(by?.grants));
  }

  async verify(secret: string): Promise<Principal | undefined> {
    const principal = await this.inner.verify(secret);
    return principal?.tenant === this.tenant ? principal : undefined;
  }

  async get(id: string): Promise<TokenRecord | undefined> {
    const token = await this.inner.get(id);
    return token?.tenant === this.tenant ? token : undefined;
  }

  async list(): Promise<TokenRecord[]> {
    return (await this.inner.list()).filter((token) => token.tenant === this.tenant);
  }

  async revoke(id: string): Promise<boolean> {
    return (await this.get(id)) ? this.inner.revoke(id) : false;
  }

  /** Only this scope's own tenant. */
  removeTenant(tenant: string): Promise<number> {
    return tenant === this.tenant ? this.inner.removeTenant(tenant) : Promise.resolve(0);
  }
}
