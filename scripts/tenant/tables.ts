/**
 * The tables of a tenant's database (DATA_DIR/tenants/<id>/cloud.db, or with DATABASE_URL its
 * PostgreSQL schema `t_<id>`) and what an export takes of each. Every table there is either exported (`exportedTables`) or left out for a reason
 * (`tablesLeftOut`): an export refuses a database with a table that is neither, so that a table a
 * new release adds cannot be forgotten.
 */
export interface ChildSpec {
  /** The key under which a row's children are nested. */
  name: string;
  table: string;
  /** The child's column naming its parent (left out of the nested rows: the parent says it). */
  reference: string;
  /** The parent's column it refers to. */
  parentKey: string;
  json?: string[];
}

export interface TableSpec {
  table: string;
  description: string;
  /** Columns holding JSON text: exported as JSON values, written back as text. */
  json?: string[];
  /** Columns not exported (the description says why). */
  omit?: string[];
  /** Columns exported as an SQL expression of the row instead of their stored value. */
  computed?: Record<string, string>;
  children?: ChildSpec[];
}

/** In the order they are exported and imported (a table before the tables that refer to it). */
export const exportedTables: readonly TableSpec[] = [
  {
    table: 'devices',
    description: 'The registry: every device with its placement and latest value of each metric',
    json: ['latest'],
  },
  {
    table: 'gateways',
    description: 'The registry: every gateway with its last heartbeat, health and reported configuration',
    json: ['health', 'config_status'],
  },
  {
    table: 'gateway_configs',
    description: 'The configuration pushed to each gateway (reporting interval, deadbands), by version',
    json: ['config'],
  },
  {
    table: 'rules',
    description:
      'Rules saved over the API (a deleted one is kept as deleted, so a rule file does not bring it back)',
    json: ['definition'],
  },
  {
    table: 'rule_state',
    description: 'Rule evaluation state of each subject (since when a condition holds, when it cleared)',
  },
  {
    table: 'alerts',
    description: 'Alerts, each with its full history (fired, acknowledged, assigned, comments, resolved)',
    json: ['subject'],
    children: [
      { name: 'history', table: 'alert_history', reference: 'alert_id', parentKey: 'id', json: ['detail'] },
    ],
  },
  {
    table: 'commands',
    description: 'Commands sent to devices and how each went',
    json: ['command'],
  },
  {
    table: 'audit_log',
    description: 'Who changed what in the tenant, with the state before and after',
    json: ['before', 'after'],
  },
  {
    table: 'dead_letter_usage',
    description:
      'Dead letters dropped over quota, per gateway (the bytes and letters kept are counted again from the letters)',
    omit: ['bytes', 'letters'],
  },
  {
    table: 'dead_letters',
    description:
      'Refused messages as stored: size, checksum, shape and reasons, never their content (a debug capture of raw payloads is temporary and not exported; `bytes` is without it)',
    json: ['shape'],
    omit: ['raw', 'raw_expires_at'],
    computed: { bytes: 'bytes - COALESCE(length(raw), 0)' },
    children: [{ name: 'reasons', table: 'dead_letter_reasons', reference: 'letter_id', parentKey: 'id' }],
  },
  {
    table: 'notification_deliveries',
    description: 'Every webhook delivery of an alert notification and how it went',
  },
  {
    table: 'notification_sent',
    description: 'Notifications already sent, so that the new installation does not send them again',
  },
  {
    table: 'open_datasets',
    description: 'The datasets the tenant defined for open data (docs/open-data.md)',
    json: ['definition'],
  },
  {
    table: 'open_data_catalogue',
    description: "The open-data catalogue's publisher, contact and place",
    json: ['settings'],
  },
];

/** Tables of a tenant's database that an export leaves out, and why. */
export const tablesLeftOut: Readonly<Record<string, string>> = {
  sqlite_sequence: "SQLite's own counters, set again by the rows imported",
  dead_letter_captures: "a gateway's debug capture, on for hours at most; raw payloads are not exported",
};

/** Tables of a tenant's PostgreSQL schema that SQLite's database has not, left out, and why. */
export const postgresTablesLeftOut: Readonly<Record<string, string>> = {
  schema_version: "the schema's migrations' own bookkeeping (cloud/postgres/migrations.ts)",
  rollup_dirty_hours:
    "cluster mode's rollup bookkeeping (the embedded default keeps it in rollups.db, not exported either): the importing cloud backfills the rollups from the raw readings",
  rollup_state: "cluster mode's rollup bookkeeping, as rollup_dirty_hours",
};

/** The tables nested into another's rows. */
export const childTables = new Set(
  exportedTables.flatMap((spec) => (spec.children ?? []).map((c) => c.table)),
);

/** The tables of a database that this module does not know: neither exported nor left out. */
export function unknownTables(tables: readonly string[]): string[] {
  const known = new Set([
    ...exportedTables.map((spec) => spec.table),
    ...childTables,
    ...Object.keys(tablesLeftOut),
  ]);
  return tables.filter((table) => !known.has(table));
}
