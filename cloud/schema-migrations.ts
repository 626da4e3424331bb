import { devicesColumns, devicesTable } from './registry/sqlite-store.ts';
import type { Migration } from './sqlite/migrations.ts';

/**
 * The migrations of `cloud.db` (the stores' database), in order; only ever appended to. Version 0 is
 * every database made before versions were kept (up to 0.1.0, main at 049b02a); its tables are
 * created by their stores.
 */
export const cloudDbMigrations: readonly Migration[] = [
  {
    // Issue 13: dead letters keep size, hash and shape; the tables of earlier releases kept payloads.
    name: 'drop the dead-letter tables that kept whole payloads',
    up: (db) =>
      db.exec('DROP TABLE IF EXISTS dead_letter_rejections; DROP TABLE IF EXISTS dead_letter_messages;'),
  },
  {
    // Device lists are served from the registry's memory: nothing asks the devices by kind, gateway or
    // district any more, and each index cost every write (a region's first start writes a million rows).
    name: "drop the registry's device indexes by kind, gateway and district",
    up: (db) =>
      db.exec(
        'DROP INDEX IF EXISTS devices_kind; DROP INDEX IF EXISTS devices_gateway; DROP INDEX IF EXISTS devices_district;',
      ),
  },
  {
    // Issue 18: the registry writes in id order, which only a table kept in id order turns into
    // neighbouring rows (registry/sqlite-store.ts). A database without the table yet gets it from its store.
    name: "keep the registry's devices in id order (a table without rowids)",
    up: (db) => {
      if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'devices'").get()) return;
      db.exec(`${devicesTable('devices_by_id')};
        INSERT INTO devices_by_id (${devicesColumns}) SELECT ${devicesColumns} FROM devices ORDER BY id;
        DROP TABLE devices;
        ALTER TABLE devices_by_id RENAME TO devices;`);
    },
  },
];
