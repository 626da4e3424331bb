import { join } from 'node:path';
import { role } from '../cloud/access/roles.ts';
import { SqliteTokenStore } from '../cloud/access/tokens.ts';
import { openSqlite } from '../cloud/sqlite/sqlite.ts';

export const tokenUsage =
  'npm run provision -- token add <name> viewer|operator|admin | token list | token revoke <id>';

/**
 * API tokens in the cloud's database (DATA_DIR/cloud.db): the first admin token of a deployment is
 * made here; further ones can be made over the API by an admin.
 */
export async function tokenCommand(dataDir: string, verb: string | undefined, args: string[]): Promise<void> {
  const db = openSqlite(join(dataDir, 'cloud.db'));
  try {
    const tokens = new SqliteTokenStore(db);
    if (verb === 'list') {
      for (const t of await tokens.list())
        console.log(`${t.id}\t${t.role}\t${t.name}\tcreated ${t.createdAt}${t.revoked ? '\tREVOKED' : ''}`);
      return;
    }
    if (verb === 'add') {
      const [name, roleName] = args;
      const parsed = role.safeParse(roleName);
      if (!name || !parsed.success) throw new Error(`usage: ${tokenUsage}`);
      const { record, secret } = await tokens.create(name, parsed.data, new Date());
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
    db.close();
  }
}
