import type { Owner } from '../cloud/access/owner.ts';
import { role } from '../cloud/access/roles.ts';
import { ScopedTokenStore } from '../cloud/access/scoped-tokens.ts';
import type { CloudConfig } from '../cloud/config.ts';
import { openToolStores } from './tool-stores.ts';

export const tokenUsage =
  'npm run provision -- token add <name> viewer|operator|admin | token list | token revoke <id>';

/**
 * API tokens of one tenant (or of the region) in the platform's stores (DATA_DIR/platform.db, or the
 * PostgreSQL database of DATABASE_URL): the
 * first admin token of a deployment is made here; further ones can be made over the API by an admin.
 */
export async function tokenCommand(
  config: Pick<CloudConfig, 'DATA_DIR' | 'DATABASE_URL'>,
  verb: string | undefined,
  args: string[],
  owner: Owner,
): Promise<void> {
  const stores = await openToolStores(config);
  try {
    const tokens = new ScopedTokenStore(stores.platform.tokens, owner.tenant);
    if (verb === 'list') {
      for (const t of await tokens.list())
        console.log(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt}${t.revoked ? '\tREVOKED' : ''}`);
      return;
    }
    if (verb === 'add') {
      const [name, roleName] = args;
      const parsed = role.safeParse(roleName);
      if (!name || !parsed.success) throw new Error(`usage: ${tokenUsage}`);
      const { record, secret } = await tokens.create(name, parsed.data, new Date(), undefined, owner);
      console.log(
        `token ${record.id} (${record.role}, ${record.name}); shown once, stored only as a digest:\n${secret}`,
      );
      return;
    }
    if (verb === 'revoke' && args[0]) {
      if (!(await tokens.revoke(args[0]))) throw new Error(`token ${args[0]} does not exist`);
      console.log(`token ${args[0]} revoked`);
      return;
    }
    throw new Error(`usage: ${tokenUsage}`);
  } finally {
    await stores.close();
  }
}
