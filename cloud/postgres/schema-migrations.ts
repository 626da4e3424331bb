import type { PgMigration } from './migrations.ts';
import {
  accountTables,
  alertTables,
  auditTables,
  commandTables,
  deadLetterTables,
  gatewayConfigTables,
  notificationTables,
  openDataTables,
  registryTables,
  rollupTables,
  ruleTables,
  tenantTables,
} from './tables.ts';

const run =
  (...parts: ((schema: string) => string)[]): PgMigration['up'] =>
  async (client, schema) => {
    for (const part of parts) await client.query(part(schema));
  };

/**
 * The migrations of the `platform` schema (accounts, tokens, sessions, tenants, the region's audit
 * log and the dead letters of no tenant), in order; only ever appended to.
 */
export const platformSchemaMigrations: readonly PgMigration[] = [
  {
    name: 'accounts, tokens, sessions, tenants, audit log, dead letters',
    up: run(accountTables, tenantTables, auditTables, deadLetterTables),
  },
];

/**
 * The migrations of a tenant's schema (`t_<id>`: registry, alerts, rules, rule state, commands,
 * audit log, dead letters, open data, notifications, gateway configurations, rollups' dirty hours),
 * in order; only ever appended to.
 */
export const tenantSchemaMigrations: readonly PgMigration[] = [
  {
    name: 'registry, alerts, rules, rule state, commands, audit log, dead letters',
    up: run(registryTables, alertTables, ruleTables, commandTables, auditTables, deadLetterTables),
  },
  { name: 'open datasets and the open-data catalogue (issue 15)', up: run(openDataTables) },
  {
    name: 'notification deliveries and sent keys, gateway configurations (issue 16)',
    up: run(notificationTables, gatewayConfigTables),
  },
  { name: "rollups' dirty hours and state, marked by the storage workers (issue 15)", up: run(rollupTables) },
];
