import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SessionStore } from '../access/sessions.ts';
import type { TokenStore } from '../access/tokens.ts';
import type { UserStore } from '../access/users.ts';
import { removeTenantCredentials } from '../broker/credentials.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import { tenantDatabase } from './database-name.ts';

export interface EraseDeps {
  config: { DATA_DIR: string; INFLUX_DATABASE: string };
  /** The installation's InfluxDB. */
  influx: InfluxConnection;
  users: UserStore;
  tokens: TokenStore;
  sessions: SessionStore;
  credentialsFile: string;
  /** Deletes its stores kept outside its data folder (its PostgreSQL schema); none in the embedded default. */
  dropStores?: (tenant: string) => Promise<void>;
  log: Logger;
}

/**
 * Removes every trace of a deleted tenant (its cell stopped) outside the tenant store: its gateways'
 * credentials (the broker ends their connections when the file changes), its accounts with their
 * sessions, its tokens, region accounts' grants of it, its InfluxDB database, its stores (with
 * DATABASE_URL its PostgreSQL schema) and its data folder (embedded database and journal). Each step
 * can be run again.
 */
export async function eraseTenant(tenant: string, deps: EraseDeps): Promise<void> {
  const { config, influx, log } = deps;
  const gateways = await removeTenantCredentials(deps.credentialsFile, tenant);
  const accounts = await deps.users.removeTenant(tenant);
  for (const username of accounts) await deps.sessions.deleteForUser(username);
  const tokens = await deps.tokens.removeTenant(tenant);
  const database = tenantDatabase(config.INFLUX_DATABASE, tenant);
  await influx.withDatabase(database).dropDatabase();
  await deps.dropStores?.(tenant);
  await rm(join(config.DATA_DIR, 'tenants', tenant), { recursive: true, force: true });
  log.info({ tenant, gateways, accounts: accounts.length, tokens, database }, 'tenant erased');
}
