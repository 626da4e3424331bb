import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sortedInTurns } from '../lifecycle/sorted-in-turns.ts';
import { inTimedRuns } from '../lifecycle/timed-runs.ts';
import { transaction } from '../sqlite/sqlite.ts';
import { type Row, toDevice, toGateway } from './rows.ts';
import { SharedTexts } from './shared-texts.ts';
import type { DeviceRecord, GatewayRecord, RegistryStore } from './store.ts';

/** The devices table's columns, as `toDevice` reads them. */
const deviceColumns = [
  'id',
  'kind',
  'gateway_id',
  'district',
  'lat',
  'lon',
  'name',
  'provisioned',
  'first_seen',
  'last_seen',
  'latest',
  'latest_ts',
] as const;

/**
 * The devices table, named `name`. Without rowids: the rows are kept in the order of their ids, so
 * writes in id order (`inIdOrder`) fall on neighbouring rows, and a page is written once a
 * transaction for all its rows, not once for each (a rowid table keeps them in the order first saved,
 * which no write can follow).
 */
export const devicesTable = (name: string) => `CREATE TABLE IF NOT EXISTS ${name} (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  gateway_id TEXT NOT NULL,
  district TEXT NOT NULL,
  lat REAL, lon REAL, name TEXT,
  provisioned INTEGER NOT NULL,
  first_seen TEXT, last_seen TEXT,
  latest TEXT NOT NULL, latest_ts TEXT
) WITHOUT ROWID`;

/** The columns of the devices table, for copying its rows into a table made by `devicesTable`. */
export const devicesColumns = deviceColumns.join(', ');

const byId = (a: DeviceRecord, b: DeviceRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The devices in the table's order, sorted in turns of the event loop: a flush of 20,000 devices
 * heard from costs about half the CPU in id order that it costs in the order they were heard, and a
 * region's first save of a fleet file listed in no particular order a tenth.
 */
const inIdOrder = (devices: DeviceRecord[]) => sortedInTurns(devices, byId);

export class SqliteRegistryStore implements RegistryStore {
  private readonly db: DatabaseSync;
  private readonly upsertDevice: StatementSync;
  private readonly updateSeen: StatementSync;
  private readonly upsertGateway: StatementSync;

  constructor(db: DatabaseSync) {
    this.db = db;
    db.exec(`${devicesTable('devices')};
    CREATE TABLE IF NOT EXISTS gateways (
      id TEXT PRIMARY KEY,
      district TEXT, lat REAL, lon REAL, name TEXT,
      state TEXT NOT NULL, state_since TEXT, last_heartbeat TEXT, health TEXT, config_status TEXT
    );`);
    this.upsertDevice = db.prepare(`INSERT INTO devices
      (id, kind, gateway_id, district, lat, lon, name, provisioned, first_seen, last_seen, latest, latest_ts)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, gateway_id = excluded.gateway_id,
        district = excluded.district, lat = excluded.lat, lon = excluded.lon, name = excluded.name,
        provisioned = excluded.provisioned, first_seen = excluded.first_seen, last_seen = excluded.last_seen,
        latest = excluded.latest, latest_ts = excluded.latest_ts`);
    // No indexed column: a device heard from changes none of the indexes' entries.
    this.updateSeen = db.prepare(
      'UPDATE devices SET first_seen = ?, last_seen = ?, latest = ?, latest_ts = ? WHERE id = ?',
    );
    this.upsertGateway = db.prepare(`INSERT INTO gateways
      (id, district, lat, lon, name, state, state_since, last_heartbeat, health, config_status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET district = excluded.district, lat = excluded.lat, lon = excluded.lon,
        name = excluded.name, state = excluded.state, state_since = excluded.state_since,
        last_heartbeat = excluded.last_heartbeat, health = excluded.health, config_status = excluded.config_status`);
  }

  async loadDevices(): Promise<DeviceRecord[]> {
    // Row by row, each read as an array into one reused row: a region's million rows are never all
    // held at once, nor made into a million row objects (~40 % of reading them back).
    const statement = this.db.prepare(`SELECT ${devicesColumns} FROM devices`);
    statement.setReturnArrays(true);
    const row: Row = {};
    const texts = new SharedTexts();
    return Array.from(statement.iterate() as Iterable<unknown[]>, (values) => {
      deviceColumns.forEach((column, i) => {
        row[column] = values[i];
      });
      return toDevice(row, texts);
    });
  }

  /**
   * In transactions of about `runMs` each (`defaultBudgetMs`), with a pause for the event loop between
   * them: a save of tens of thousands of devices (the registry's one-second flush in a busy region) is
   * many short transactions, whatever the machine's speed or load (writes are chained by the registry,
   * so a later save never overtakes an earlier one). In id order (`inIdOrder`).
   */
  async saveDevices(devices: DeviceRecord[], runMs?: number): Promise<void> {
    await inTimedRuns(
      await inIdOrder(devices),
      (take) =>
        transaction(this.db, () => {
          for (let d = take(); d; d = take()) this.upsert(d);
        }),
      { budgetMs: runMs },
    );
  }

  /**
   * Only the columns readings change, which no index holds (less than half the CPU of writing whole
   * rows); a device not stored yet is saved whole. In timed transactions and id order as `saveDevices`.
   */
  async saveSeen(devices: DeviceRecord[], runMs?: number): Promise<void> {
    await inTimedRuns(
      await inIdOrder(devices),
      (take) =>
        transaction(this.db, () => {
          for (let d = take(); d; d = take()) {
            const latest = JSON.stringify(d.latest);
            const seen = this.updateSeen.run(
              d.firstSeen ?? null,
              d.lastSeen ?? null,
              latest,
              d.latestTs ?? null,
              d.id,
            );
            if (!seen.changes) this.upsert(d);
          }
        }),
      { budgetMs: runMs },
    );
  }

  private upsert(d: DeviceRecord): void {
    this.upsertDevice.run(
      d.id,
      d.kind,
      d.gatewayId,
      d.district,
      d.location?.lat ?? null,
      d.location?.lon ?? null,
      d.name ?? null,
      d.provisioned ? 1 : 0,
      d.firstSeen ?? null,
      d.lastSeen ?? null,
      JSON.stringify(d.latest),
      d.latestTs ?? null,
    );
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const row = this.db.prepare('SELECT * FROM devices WHERE id = ?').get(id) as Row | undefined;
    return row ? toDevice(row) : undefined;
  }

  async loadGateways(): Promise<GatewayRecord[]> {
    return (this.db.prepare('SELECT * FROM gateways ORDER BY id').all() as Row[]).map(toGateway);
  }

  async saveGateway(g: GatewayRecord): Promise<void> {
    this.upsertGateway.run(
      g.id,
      g.district ?? null,
      g.location?.lat ?? null,
      g.location?.lon ?? null,
      g.name ?? null,
      g.state,
      g.stateSince ?? null,
      g.lastHeartbeat ?? null,
      g.health === undefined ? null : JSON.stringify(g.health),
      g.configStatus === undefined ? null : JSON.stringify(g.configStatus),
    );
  }
}
