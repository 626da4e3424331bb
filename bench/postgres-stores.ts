import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { PostgresTokenStore } from '../cloud/access/postgres-tokens.ts';
import { SqliteTokenStore, type TokenStore } from '../cloud/access/tokens.ts';
import { PostgresAlertStore } from '../cloud/alerts/postgres-store.ts';
import { SqliteAlertStore } from '../cloud/alerts/sqlite-store.ts';
import type { Alert, AlertStore } from '../cloud/alerts/store.ts';
import { PostgresCommandStore } from '../cloud/commands/postgres-store.ts';
import { type CommandStore, SqliteCommandStore } from '../cloud/commands/store.ts';
import { PostgresDatabase } from '../cloud/postgres/database.ts';
import { PostgresRegistryStore } from '../cloud/registry/postgres-store.ts';
import { SqliteRegistryStore } from '../cloud/registry/sqlite-store.ts';
import type { DeviceRecord, RegistryStore } from '../cloud/registry/store.ts';
import { PostgresRuleStateStore } from '../cloud/rules/postgres-state.ts';
import { SqliteRuleStateStore } from '../cloud/rules/sqlite-state.ts';
import type { RuleStateStore } from '../cloud/rules/state.ts';
import { openSqlite } from '../cloud/sqlite/sqlite.ts';
import type { BenchOptions } from './options.ts';
import { probeKind } from './readings.ts';
import { int, quantile, round } from './util.ts';

/** What one backend does per second (or per call) in this process, against the same work. */
export interface StoreFigures {
  /** Devices saved per second by the registry's write-behind flush (`saveSeen` of a whole batch). */
  registryDevicesPerS: number;
  /** Alerts fired and resolved per second, written behind as the rules engine does (2 writes each). */
  alertTransitionsPerS: number;
  /** Rule-state changes written behind per second. */
  ruleStatesPerS: number;
  /** Commands created, sent and delivered per second, one call after another (3 writes each). */
  commandsPerS: number;
  /** Median time to verify an API token (every API request with a token does). */
  tokenVerifyP50Us: number;
}

export interface PostgresStoresResult {
  devices: number;
  operations: number;
  sqlite: StoreFigures;
  postgres: StoreFigures;
}

interface Backend {
  registry: RegistryStore;
  alerts: AlertStore;
  ruleStates: RuleStateStore;
  commands: CommandStore;
  tokens: TokenStore;
}

const perS = (n: number, started: number) => n / ((performance.now() - started) / 1000);

async function measure(backend: Backend, devices: number, operations: number): Promise<StoreFigures> {
  const records: DeviceRecord[] = Array.from({ length: devices }, (_, i) => ({
    id: `device-${i}`,
    kind: probeKind.kind,
    gatewayId: `gw-${i % 100}`,
    district: 'centrum',
    provisioned: true,
    latest: { activePower: i, powerState: 'on' },
    lastSeen: new Date().toISOString(),
  }));
  await backend.registry.saveDevices(records);
  let started = performance.now();
  for (let round = 1; round <= 3; round++)
    await backend.registry.saveSeen(records.map((d) => ({ ...d, latest: { activePower: round } })));
  const registryDevicesPerS = perS(3 * devices, started);

  const at = new Date().toISOString();
  const alert = (i: number): Alert => ({
    id: `a-${i}`,
    ruleId: 'bench-rule',
    ruleName: 'Bench rule',
    severity: 'warning',
    subject: { kind: 'device', id: `device-${i}` },
    state: 'firing',
    summary: 'bench',
    firedAt: at,
    lastMatchAt: at,
  });
  started = performance.now();
  const alertWrites: Promise<void>[] = [];
  for (let i = 0; i < operations; i++) {
    alertWrites.push(backend.alerts.insert(alert(i), 'rules'));
    alertWrites.push(
      backend.alerts.update(
        `a-${i}`,
        { state: 'resolved', resolvedAt: at },
        { at, actor: 'rules', action: 'resolved' },
      ),
    );
  }
  await Promise.all(alertWrites);
  const alertTransitionsPerS = perS(2 * operations, started);

  started = performance.now();
  await Promise.all(
    Array.from({ length: operations }, (_, i) =>
      backend.ruleStates.set('r1', `device-${i}`, { since: i + 1 }),
    ),
  );
  const ruleStatesPerS = perS(operations, started);

  const commands = Math.max(1, Math.floor(operations / 4));
  started = performance.now();
  for (let i = 0; i < commands; i++) {
    await backend.commands.insert([
      {
        id: `c-${i}`,
        deviceId: `device-${i}`,
        gatewayId: 'gw-1',
        kind: probeKind.kind,
        command: { action: 'setDimming', level: 40 },
        status: 'pending',
        createdAt: at,
        expiresAt: at,
      },
    ]);
    await backend.commands.transition(`c-${i}`, 'sent', at);
    await backend.commands.transition(`c-${i}`, 'delivered', at);
  }
  const commandsPerS = perS(commands, started);

  const { secret } = await backend.tokens.create('bench', 'admin', new Date());
  const verifyUs: number[] = [];
  for (let i = 0; i < Math.min(operations, 2_000); i++) {
    const t = performance.now();
    await backend.tokens.verify(secret);
    verifyUs.push((performance.now() - t) * 1000);
  }
  return {
    registryDevicesPerS,
    alertTransitionsPerS,
    ruleStatesPerS,
    commandsPerS,
    tokenVerifyP50Us: quantile(verifyUs, 0.5),
  };
}

/**
 * The PostgreSQL stores of cluster mode next to the SQLite stores of the embedded default, in this
 * process, on the same work: the costs a cluster's sizing starts from. PostgreSQL is the server at
 * `url` (a database of its own is created and dropped); SQLite a file in `dir` (WAL, as the cloud).
 */
export async function postgresStoresBench(options: {
  url: string;
  dir: string;
  devices: number;
  operations: number;
  say: (line: string) => void;
}): Promise<PostgresStoresResult> {
  const { say } = options;
  const db = openSqlite(join(options.dir, 'bench-stores.db'));
  say(`SQLite: ${int(options.devices)} devices, ${int(options.operations)} operations`);
  const sqlite = await measure(
    {
      registry: new SqliteRegistryStore(db),
      alerts: new SqliteAlertStore(db),
      ruleStates: new SqliteRuleStateStore(db),
      commands: new SqliteCommandStore(db),
      tokens: new SqliteTokenStore(db),
    },
    options.devices,
    options.operations,
  );
  db.close();
  const name = `city_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: `${options.url}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const database = await PostgresDatabase.connect(`${options.url}/${name}`);
  try {
    say(`PostgreSQL (${options.url}/${name}): the same work`);
    const platform = await database.platform();
    const tenant = await database.tenant('bench');
    const postgres = await measure(
      {
        registry: new PostgresRegistryStore(tenant),
        alerts: await PostgresAlertStore.open(tenant),
        ruleStates: await PostgresRuleStateStore.open(tenant),
        commands: new PostgresCommandStore(tenant),
        tokens: new PostgresTokenStore(platform),
      },
      options.devices,
      options.operations,
    );
    return { devices: options.devices, operations: options.operations, sqlite, postgres };
  } finally {
    await database.close();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

export function printPostgresStores(result: PostgresStoresResult): void {
  const rows: [string, keyof StoreFigures][] = [
    ['registry flush, devices/s', 'registryDevicesPerS'],
    ['alert transitions/s (written behind)', 'alertTransitionsPerS'],
    ['rule-state changes/s (written behind)', 'ruleStatesPerS'],
    ['commands/s (create, sent, delivered)', 'commandsPerS'],
    ['token verification, p50 µs', 'tokenVerifyP50Us'],
  ];
  console.log('\nStores: SQLite (embedded default) and PostgreSQL (cluster mode), this process');
  for (const [label, key] of rows)
    console.log(
      `  ${label.padEnd(40)} ${int(result.sqlite[key]).padStart(10)} ${int(result.postgres[key]).padStart(10)}`,
    );
}

/** The figures rounded for the JSON results. */
export const roundedFigures = (figures: StoreFigures) =>
  Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, round(value)]));

/** `--only postgres`: the stores on SQLite and on PostgreSQL, printed; the results file's figures. */
export async function postgresSection(options: BenchOptions, dir: string, say: (line: string) => void) {
  const stores = await postgresStoresBench({
    url: options.postgresUrl,
    dir,
    devices: options.quick ? 2_000 : 20_000,
    operations: options.quick ? 2_000 : 10_000,
    say,
  });
  printPostgresStores(stores);
  const [sqlite, postgres] = [roundedFigures(stores.sqlite), roundedFigures(stores.postgres)];
  return { postgresStores: { ...stores, sqlite, postgres } };
}
