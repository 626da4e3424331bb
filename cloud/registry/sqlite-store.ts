import { dirname, join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { sortedInTurns } from '../lifecycle/sorted-in-turns.ts';
import { inTimedRuns } from '../lifecycle/timed-runs.ts';
import { transaction } from '../sqlite/sqlite.ts';
import { type Row, toDevice, toGateway } from './rows.ts';
import { devicesWithSeen, SeenWriter, seenRow, seenTable } from './seen-rows.ts';
import type { SeenLog } from './seen-thread.ts';
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

/**
 * The registry's devices with what was heard of them (`device_seen` in `seen.db`, attached as `seen`):
 * what the registry loads, and what a tenant export writes of its devices.
 */
export const devicesSelect = devicesWithSeen(deviceColumns, 'seen');

/**
 * Attaches `seen.db` (the devices' seen state) to `db` as `seen`: the file `path`, or the one beside
 * `db`'s own file (in memory for a database in memory). Once per connection.
 */
function attachSeen(db: DatabaseSync, path = seenPathOf(db)): void {
  const attached = db.prepare('SELECT 1 FROM pragma_database_list WHERE name = ?').get('seen');
  if (attached) return;
  db.prepare('ATTACH DATABASE ? AS seen').run(path);
  if (path !== ':memory:') db.exec('PRAGMA seen.journal_mode = WAL; PRAGMA seen.synchronous = NORMAL;');
}

/** `seen.db` beside the database's file, or in memory for a database in memory. */
function seenPathOf(db: DatabaseSync): string {
  const file = db.location();
  return file ? join(dirname(file), 'seen.db') : ':memory:';
}

const byId = (a: DeviceRecord, b: DeviceRecord) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The devices in the table's order, sorted in turns of the event loop: a flush of 20,000 devices
 * heard from costs about half the CPU in id order that it costs in the order they were heard, and a
 * region's first save of a fleet file listed in no particular order a tenth.
 */
const inIdOrder = (devices: DeviceRecord[]) => sortedInTurns(devices, byId);

/**
 * The registry in a tenant's `cloud.db`, and what readings changed of its devices in `seen.db` beside
 * it (`device_seen`): written by the seen thread when `seen` is given (the cloud's cells), on this
 * thread otherwise (tools, tests, and the cloud once that thread failed).
 */
export class SqliteRegistryStore implements RegistryStore {
  private readonly db: DatabaseSync;
  private readonly seen?: SeenLog;
  private readonly upsertDevice: StatementSync;
  private readonly seenWriter: SeenWriter;
  private readonly stored: StatementSync;
  private readonly upsertGateway: StatementSync;

  constructor(db: DatabaseSync, seen?: SeenLog) {
    this.db = db;
    this.seen = seen;
    attachSeen(db, seen?.path);
    db.exec(`${seenTable('seen')}; ${devicesTable('devices')};
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
    this.seenWriter = new SeenWriter(db, 'seen');
    this.stored = db.prepare('SELECT 1 FROM main.devices WHERE id = ?');
    this.upsertGateway = db.prepare(`INSERT INTO gateways
      (id, district, lat, lon, name, state, state_since, last_heartbeat, health, config_status)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET district = excluded.district, lat = excluded.lat, lon = excluded.lon,
        name = excluded.name, state = excluded.state, state_since = excluded.state_since,
        last_heartbeat = excluded.last_heartbeat, health = excluded.health, config_status = excluded.config_status`);
  }

  /** The seen thread's log while it writes: none when none was given, or once it failed. */
  private get seenThread(): SeenLog | undefined {
    return this.seen?.failed ? undefined : this.seen;
  }

  /** Which thread writes what the devices reported: the seen thread, or this one. */
  get seenWrittenBy(): 'seen thread' | 'this thread' {
    return this.seenThread ? 'seen thread' : 'this thread';
  }

  async loadDevices(): Promise<DeviceRecord[]> {
    // Row by row, each read as an array into one reused row: a region's million rows are never all
    // held at once, nor made into a million row objects (~40 % of reading them back).
    const statement = this.db.prepare(devicesSelect);
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
   * What readings changed of each device (first and last seen, latest values and their time), into
   * `device_seen`: by the seen thread, the main thread only encoding them (`SeenLog`); on this thread
   * in timed transactions and id order as `saveDevices` without it. A device not stored yet is saved
   * whole.
   */
  async saveSeen(devices: DeviceRecord[], runMs?: number): Promise<void> {
    const thread = this.seenThread;
    if (thread) {
      const missing = new Set(await thread.save(devices));
      if (missing.size > 0)
        await this.saveDevices(
          devices.filter((d) => missing.has(d.id)),
          runMs,
        );
      return;
    }
    await inTimedRuns(
      await inIdOrder(devices),
      (take) =>
        transaction(this.db, () => {
          for (let d = take(); d; d = take()) {
            this.seenWriter.write(seenRow(d));
            if (this.stored.get(d.id) === undefined) this.upsert(d);
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
    const row = this.db.prepare(`${devicesSelect} WHERE d.id = ?`).get(id) as Row | undefined;
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
