import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { hashPassword } from '../cloud/access/passwords.ts';
import { SqliteUserStore } from '../cloud/access/users.ts';
import { openPlatformDb } from '../cloud/platform-db.ts';
import { randomPassword } from './provision-users.ts';

/**
 * The demo's console user: on the first start, user `admin` (region staff: a region account with the
 * admin role, which sees every town) with a random password kept
 * in `DATA_DIR/admin-password`, readable by the owner only (never logged). Later starts leave the user
 * and the file as they are (a password changed in the console is not written back). Returns the file.
 */
export async function ensureDemoAdmin(dataDir: string): Promise<string> {
  const file = join(dataDir, 'admin-password');
  const db = openPlatformDb(dataDir, pino({ level: 'warn' }));
  try {
    const users = new SqliteUserStore(db);
    if (await users.get('admin')) return file;
    const password = randomPassword();
    await mkdir(dataDir, { recursive: true });
    // The file first: a user whose password nobody kept would lock the demo's console.
    await writeFile(file, `${password}\n`, { mode: 0o600 });
    await users.create(
      {
        username: 'admin',
        displayName: 'admin',
        role: 'admin',
        passwordHash: await hashPassword(password),
        mustChangePassword: false,
        owner: { tenant: null, grants: [] },
      },
      new Date(),
    );
    return file;
  } finally {
    db.close();
  }
}
