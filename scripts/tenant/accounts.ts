import type { DatabaseSync } from 'node:sqlite';
import type { z } from 'zod';
import type { UserStore } from '../../cloud/access/users.ts';
import { userRecord } from '../../cloud/access/users.ts';
import type { PartFile } from './part-file.ts';

/**
 * A tenant's account as exported: who it is and what it may do. Never its password hash (nor its
 * sessions, lock-out state or API tokens): an imported account has no password until one is set.
 */
export const exportedAccount = userRecord
  .pick({
    username: true,
    displayName: true,
    role: true,
    disabled: true,
    createdAt: true,
    lastSignInAt: true,
  })
  .strict();
export type ExportedAccount = z.infer<typeof exportedAccount>;

export const accountFields = Object.keys(exportedAccount.shape);

/** A stored value no password opens (not an scrypt hash): the account signs in only once one is set. */
export const noPassword = 'imported-without-password';

/** Writes the tenant's accounts (by username) from the platform database, one per line. */
export async function writeAccounts(platform: DatabaseSync, tenant: string, part: PartFile): Promise<void> {
  const rows = platform
    .prepare(
      'SELECT username, display_name, role, disabled, created_at, last_sign_in_at FROM users WHERE tenant = ? ORDER BY username',
    )
    .iterate(tenant);
  for (const row of rows) {
    const account: ExportedAccount = exportedAccount.parse({
      username: row.username,
      displayName: row.display_name,
      role: row.role,
      disabled: row.disabled === 1,
      createdAt: row.created_at,
      lastSignInAt: row.last_sign_in_at ?? undefined,
    });
    await part.write(`${JSON.stringify(account)}\n`, 1);
  }
}

/**
 * Creates an exported account in `tenant`: without a password (an admin's reset gives it one, and it
 * must then choose its own), with its role, name, creation time, last sign-in and whether it is disabled.
 */
export async function createAccount(
  users: UserStore,
  tenant: string,
  account: ExportedAccount,
): Promise<void> {
  await users.create(
    {
      username: account.username,
      displayName: account.displayName,
      role: account.role,
      passwordHash: noPassword,
      mustChangePassword: true,
      owner: { tenant, grants: [] },
    },
    new Date(account.createdAt),
  );
  await users.update(account.username, { disabled: account.disabled, lastSignInAt: account.lastSignInAt });
}
