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

/** Writes the tenant's accounts (by username) from the installation's account store, one per line. */
export async function writeAccounts(users: UserStore, tenant: string, part: PartFile): Promise<void> {
  const theirs = (await users.list()).filter((user) => user.tenant === tenant);
  for (const user of theirs.sort((a, b) => (a.username < b.username ? -1 : 1))) {
    const account: ExportedAccount = exportedAccount.parse({
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      disabled: user.disabled,
      createdAt: user.createdAt,
      lastSignInAt: user.lastSignInAt,
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
