import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { parentPort } from 'node:worker_threads';
import { openSqlite, transaction } from '../sqlite/sqlite.ts';
import { decodeSeen, SeenWriter, seenTable } from './seen-rows.ts';
import type { FromSeen, ToSeen } from './seen-thread.ts';

/**
 * The seen thread (started by `startSeenLog`): writes what the registries' flushes heard of their
 * devices into each tenant's `seen.db`, with a connection of its own, so that the sort, the writes
 * and the commits run beside the main thread's event loop; and tells which of the devices the
 * tenant's `cloud.db` does not hold yet (read through a read-only connection), for the main thread to
 * save whole. One thread for the whole process, every tenant's database by its id.
 */
const port = parentPort;
if (!port) throw new Error('seen-worker.ts runs as a worker thread (see seen-thread.ts)');
const post = (message: FromSeen) => port.postMessage(message);

interface Open {
  seen: DatabaseSync;
  writer: SeenWriter;
  devices: DatabaseSync;
  /** Prepared at the first save: the registry creates the devices table after the log opened. */
  stored?: StatementSync;
}
const open = new Map<number, Open>();

function close(id: number): void {
  const entry = open.get(id);
  open.delete(id);
  for (const db of [entry?.seen, entry?.devices])
    try {
      db?.close();
    } catch {
      // Closed already, or never fully open: nothing more to release.
    }
}

function add(id: number, path: string, devicesPath: string): Open {
  const seen = openSqlite(path);
  try {
    // As the tenant's other databases: what is overwritten does not stay readable in free pages.
    seen.exec(`PRAGMA secure_delete = ON; ${seenTable('main')}`);
    const devices = new DatabaseSync(devicesPath, { readOnly: true });
    devices.exec('PRAGMA busy_timeout = 5000');
    const entry: Open = { seen, writer: new SeenWriter(seen, 'main'), devices };
    open.set(id, entry);
    return entry;
  } catch (error) {
    seen.close();
    throw error;
  }
}

function save(entry: Open, texts: readonly Uint8Array[]): string[] {
  const rows = SeenWriter.sort(decodeSeen(texts));
  transaction(entry.seen, () => {
    for (const row of rows) entry.writer.write(row);
  });
  entry.stored ??= entry.devices.prepare('SELECT 1 FROM devices WHERE id = ?');
  const stored = entry.stored;
  // One read transaction for the whole flush, not one per device.
  return transaction(entry.devices, () =>
    rows.filter((row) => stored.get(row[0]) === undefined).map((row) => row[0]),
  );
}

port.on('message', (message: ToSeen) => {
  switch (message.type) {
    case 'open':
      try {
        add(message.id, message.path, message.devicesPath);
        post({ type: 'opened', id: message.id });
      } catch (error) {
        post({ type: 'failed', id: message.id, message: (error as Error).message });
      }
      return;
    case 'save': {
      const entry = open.get(message.id);
      if (!entry) {
        post({ type: 'failed', id: message.id, save: message.save, message: 'its database is not open' });
        return;
      }
      try {
        post({ type: 'saved', id: message.id, save: message.save, missing: save(entry, message.rows) });
      } catch (error) {
        post({ type: 'failed', id: message.id, save: message.save, message: (error as Error).message });
      }
      return;
    }
    case 'close':
      close(message.id);
      post({ type: 'closed', id: message.id });
      return;
    case 'exit':
      for (const id of [...open.keys()]) close(id);
      port.close();
      return;
  }
});
