import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { SqliteRegistryStore } from '../../../cloud/registry/sqlite-store.ts';
import type { DeviceRecord } from '../../../cloud/registry/store.ts';
import { cloudDbMigrations } from '../../../cloud/schema-migrations.ts';
import { migrate, schemaVersion } from '../../../cloud/sqlite/migrations.ts';

/** The devices table as releases before issue 18's last change made it (a rowid table). */
const rowidDevices = `CREATE TABLE devices (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, gateway_id TEXT NOT NULL, district TEXT NOT NULL,
  lat REAL, lon REAL, name TEXT, provisioned INTEGER NOT NULL,
  first_seen TEXT, last_seen TEXT, latest TEXT NOT NULL, latest_ts TEXT
)`;
const keptInIdOrder = "keep the registry's devices in id order (a table without rowids)";
const devicesSql = (db: DatabaseSync) =>
  (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'devices'").get() as { sql: string } | undefined)
    ?.sql;

const device = (id: string, extra: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'Střed',
  provisioned: true,
  latest: {},
  ...extra,
});

describe('cloud.db migrations', () => {
  const index = cloudDbMigrations.findIndex((m) => m.name === keptInIdOrder);

  it('rebuild a rowid devices table without rowids, every row and column kept', async () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, cloudDbMigrations.slice(0, index), 'cloud.db');
    db.exec(rowidDevices);
    const insert = db.prepare('INSERT INTO devices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    insert.run('lamp-2', 'streetlight', 'gw-1', 'Střed', 49.2, 16.6, 'Lampa', 1, 'a', 'b', '{"dim":5}', 'c');
    insert.run('bin-1', 'waste_bin', 'gw-2', 'Sever', null, null, null, 0, null, null, '{}', null);
    const before = db.prepare('SELECT * FROM devices ORDER BY id').all();

    expect(migrate(db, cloudDbMigrations, 'cloud.db')).toEqual({ from: index, to: cloudDbMigrations.length });
    expect(devicesSql(db)).toMatch(/WITHOUT ROWID$/);
    expect(db.prepare('SELECT * FROM devices ORDER BY id').all()).toEqual(before);
    // No copy left behind, and no index beside the table (its rows are the id's b-tree).
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '%devices%'").all()).toEqual([
      { name: 'devices' },
    ]);
    // The store reads and writes the rebuilt table.
    const store = new SqliteRegistryStore(db);
    expect((await store.getDevice('lamp-2'))?.latest).toEqual({ dim: 5 });
    await store.saveSeen([device('lamp-2', { lastSeen: 'd', latest: { dim: 7 } }), device('cam-9')]);
    expect((await store.loadDevices()).map((d) => [d.id, d.latest])).toEqual([
      ['bin-1', {}],
      ['cam-9', {}],
      ['lamp-2', { dim: 7 }],
    ]);
  });

  it('leave a database without a devices table to its store, which makes it without rowids', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, cloudDbMigrations, 'cloud.db');
    expect(schemaVersion(db)).toBe(cloudDbMigrations.length);
    expect(devicesSql(db)).toBeUndefined();
    new SqliteRegistryStore(db);
    expect(devicesSql(db)).toMatch(/WITHOUT ROWID$/);
  });
});
