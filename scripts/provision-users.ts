import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { BrowserSessions } from '../cloud/access/browser-sessions.ts';
import type { Owner } from '../cloud/access/owner.ts';
import { role } from '../cloud/access/roles.ts';
import { ScopedUserStore } from '../cloud/access/scoped-users.ts';
import { UserAdmin, type UserView } from '../cloud/access/user-admin.ts';
import { newPassword, username } from '../cloud/access/users.ts';
import type { CloudConfig } from '../cloud/config.ts';
import { openToolStores } from './tool-stores.ts';

export const userUsage =
  'npm run provision -- user add <username> --role viewer|operator|admin [--password-file F]\n' +
  '       | user disable <username> | user reset <username> [--password-file F] | user list';

export interface UserOptions {
  role?: string | undefined;
  'password-file'?: string | undefined;
}

/** A password for someone to type once and then change: 20 characters of base64url (120 bits). */
export function randomPassword(): string {
  return randomBytes(15).toString('base64url');
}

/** The password in the file (its first line), checked like one set over the API. */
async function passwordFrom(path: string): Promise<string> {
  const [line = ''] = (await readFile(path, 'utf8')).split(/\r?\n/);
  const parsed = newPassword.safeParse(line);
  if (!parsed.success) throw new Error(`--password-file ${path}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new Error(`${what}: ${parsed.error.issues[0]?.message ?? 'missing'}\nusage: ${userUsage}`);
  return parsed.data;
}

/**
 * Console users of one tenant (or of the region) in the platform's stores (DATA_DIR/platform.db, or
 * the PostgreSQL database of DATABASE_URL):
 * the first admin of a deployment is made here; further users by an admin in the console. Changes
 * are audited in the region's audit log with the actor `provision`.
 */
export async function userCommand(
  config: Pick<CloudConfig, 'DATA_DIR' | 'DATABASE_URL' | 'SESSION_IDLE_MINUTES' | 'SESSION_MAX_HOURS'>,
  verb: string | undefined,
  args: string[],
  options: UserOptions,
  owner: Owner,
): Promise<void> {
  const stores = await openToolStores(config);
  try {
    const users = new ScopedUserStore(stores.platform.users, owner.tenant);
    const now = () => new Date();
    const policy = {
      idleMs: config.SESSION_IDLE_MINUTES * 60_000,
      maxMs: config.SESSION_MAX_HOURS * 3_600_000,
    };
    const sessions = new BrowserSessions({ store: stores.platform.sessions, users, policy, now });
    const admin = new UserAdmin({ users, sessions, now });
    // Recorded where the account belongs: its tenant's audit log (shown to that tenant's admins), or the region's.
    const audit = owner.tenant === null ? stores.platform.audit : await stores.tenantAudit(owner.tenant);
    const record = (action: string, target: string, before: UserView | null, after: UserView) =>
      audit.record({ at: now().toISOString(), actor: 'provision', action, target, before, after });
    if (verb === 'list') {
      for (const u of await admin.list())
        console.log(
          [
            u.username,
            u.role,
            u.displayName,
            `created ${u.createdAt}`,
            u.lastSignInAt ? `last sign-in ${u.lastSignInAt}` : 'never signed in',
            ...(u.disabled ? ['DISABLED'] : []),
            ...(u.lockedUntil ? [`LOCKED until ${u.lockedUntil}`] : []),
            ...(u.mustChangePassword ? ['must change password'] : []),
          ].join('\t'),
        );
      return;
    }
    const name = parse(username, args[0], 'username');
    const given = options['password-file'];
    const password =
      verb === 'add' || verb === 'reset' ? (given ? await passwordFrom(given) : randomPassword()) : '';
    const shown = given ? '' : `; password (shown once, stored only as an scrypt hash):\n${password}`;
    if (verb === 'add') {
      const chosen = parse(role, options.role, '--role');
      // A generated password was seen on this terminal: its user replaces it at the first sign-in.
      const user = await admin.create(
        { username: name, role: chosen, password, ...(owner.tenant === null && { grants: owner.grants }) },
        !given,
      );
      await record('user.create', name, null, user);
      console.log(`user ${name} (${chosen}) added${shown}`);
      return;
    }
    if (verb === 'reset') {
      const before = await admin.get(name);
      const after = await admin.reset(name, password);
      await record('user.reset', name, before, after);
      console.log(`user ${name}: password reset, to be changed at the next sign-in; sessions ended${shown}`);
      return;
    }
    if (verb === 'disable') {
      const before = await admin.get(name);
      const after = await admin.update(name, { disabled: true });
      await record('user.update', name, before, after);
      console.log(`user ${name} disabled; sessions ended`);
      return;
    }
    throw new Error(`usage: ${userUsage}`);
  } finally {
    await stores.close();
  }
}
