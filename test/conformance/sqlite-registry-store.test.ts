import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { type SeenLog, startSeenLog } from '../../cloud/registry/seen-thread.ts';
import { SqliteRegistryStore } from '../../cloud/registry/sqlite-store.ts';
import type { DeviceRecord } from '../../cloud/registry/store.ts';
import { openSqlite } from '../../cloud/sqlite/sqlite.ts';
import { deviceRecord } from '../helpers/device-record.ts';
import { registryStoreConformance } from './registry-store.ts';

registryStoreConformance('SQLite', () => new SqliteRegistryStore(openSqlite(':memory:')));

describe('SQLite registry store: many devices at once', () => {
  const devices = Array.from({ length: 2_500 }, (_, i) => ({
    id: `lamp-${i}`,
    kind: 'streetlight' as const,
    gatewayId: 'gw-1',
    district: 'centrum',
    provisioned: true,
    latest: { level: i },
  }));

  it('writes them in timed transactions, the event loop running between, and keeps every one', async () => {
    const store = new SqliteRegistryStore(openSqlite(':memory:'));
    const events: string[] = [];
    // A run of no time: a transaction per device, a turn of the event loop after each.
    const saved = store.saveDevices(devices, 0).then(() => events.push('saved'));
    setImmediate(() => events.push('event loop'));
    await saved;
    expect(events).toEqual(['event loop', 'saved']);
    const back = await store.loadDevices();
    expect(back).toHaveLength(2_500);
    expect(back.find((d) => d.id === 'lamp-2499')?.latest).toEqual({ level: 2_499 });
  });

  it('saves what was seen in timed transactions too, the rows it has and the ones it has not', async () => {
    const store = new SqliteRegistryStore(openSqlite(':memory:'));
    await store.saveDevices(devices.slice(0, 1_000));
    const events: string[] = [];
    const heard = devices.map((d) => ({ ...d, lastSeen: '2026-11-30T16:00:00.000Z', latest: { level: -1 } }));
    const saved = store.saveSeen(heard, 0).then(() => events.push('saved'));
    setImmediate(() => events.push('event loop'));
    await saved;
    expect(events).toEqual(['event loop', 'saved']);
    const back = await store.loadDevices();
    expect(back).toHaveLength(2_500);
    expect(back.every((d) => d.latest.level === -1 && d.lastSeen === '2026-11-30T16:00:00.000Z')).toBe(true);
  });
});

registryStoreConformance('SQLite, seen state written by the seen thread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'seen-conformance-'));
  dirs.push(dir);
  const db = openSqlite(join(dir, 'cloud.db'));
  const seen = await startSeenLog({ path: join(dir, 'seen.db'), devicesPath: join(dir, 'cloud.db') });
  opened.push({ db, seen });
  return new SqliteRegistryStore(db, seen);
});

const dirs: string[] = [];
const opened: { db: DatabaseSync; seen: SeenLog }[] = [];
afterAll(async () => {
  for (const { db, seen } of opened.splice(0)) {
    await seen.stop();
    if (db.isOpen) db.close();
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('SQLite registry store: seen state in seen.db', () => {
  const lamp = (overrides: Partial<DeviceRecord> = {}) => deviceRecord('lamp-1', overrides);
  const at = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

  async function files() {
    const dir = mkdtempSync(join(tmpdir(), 'seen-store-'));
    dirs.push(dir);
    const open = async () => {
      const db = openSqlite(join(dir, 'cloud.db'));
      const seen = await startSeenLog({ path: join(dir, 'seen.db'), devicesPath: join(dir, 'cloud.db') });
      opened.push({ db, seen });
      return { db, seen, store: new SqliteRegistryStore(db, seen) };
    };
    return { dir, open };
  }

  it('keeps what the seen thread wrote across a restart, the devices table untouched by it', async () => {
    const { dir, open } = await files();
    const first = await open();
    await first.store.saveDevices([lamp()]);
    const heard = lamp({ firstSeen: at(1), lastSeen: at(2), latest: { dimLevel: 40 }, latestTs: at(2) });
    await first.store.saveSeen([heard]);
    expect(first.db.prepare('SELECT last_seen FROM main.devices').get()).toEqual({ last_seen: null });
    await first.seen.stop();
    first.db.close();
    const again = await open();
    expect(await again.store.loadDevices()).toEqual([heard]);
    expect(await again.store.getDevice('lamp-1')).toEqual(heard);
    expect(existsSync(join(dir, 'seen.db'))).toBe(true);
  });

  it('takes the seen columns of whichever was heard last: the seen row, or a whole save after it', async () => {
    const { open } = await files();
    const { store } = await open();
    await store.saveDevices([lamp({ lastSeen: at(5), latest: { dimLevel: 5 }, latestTs: at(5) })]);
    await store.saveSeen([lamp({ lastSeen: at(3), latest: { dimLevel: 3 }, latestTs: at(3) })]);
    // The whole save is newer (last seen 10:05 against 10:03): its columns stand.
    expect((await store.getDevice('lamp-1'))?.latest).toEqual({ dimLevel: 5 });
    await store.saveSeen([lamp({ lastSeen: at(5), latest: { dimLevel: 6 }, latestTs: at(5) })]);
    // Heard at the same time: the seen row, written by the flush after it.
    expect((await store.getDevice('lamp-1'))?.latest).toEqual({ dimLevel: 6 });
    await store.saveDevices([
      lamp({ district: 'noord', lastSeen: at(4), latest: { dimLevel: 4 }, latestTs: at(4) }),
    ]);
    // An older whole save changes the device's placement, not what was heard of it.
    expect(await store.loadDevices()).toEqual([
      lamp({ district: 'noord', lastSeen: at(5), latest: { dimLevel: 6 }, latestTs: at(5) }),
    ]);
  });

  it('writes on its own thread once the seen log has failed', async () => {
    const db = openSqlite(':memory:');
    const failed: SeenLog = {
      path: ':memory:',
      failed: new Error('the seen thread exited (1)'),
      save: () => Promise.reject(new Error('not to be called')),
      stop: async () => undefined,
    };
    const store = new SqliteRegistryStore(db, failed);
    await store.saveSeen([lamp({ lastSeen: at(1), latest: { dimLevel: 1 } })]);
    expect(await store.getDevice('lamp-1')).toMatchObject({ lastSeen: at(1), latest: { dimLevel: 1 } });
    db.close();
  });

  it('refuses a save the thread dies under, even one still being encoded, and then writes on its own thread', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seen-dies-'));
    dirs.push(dir);
    const db = openSqlite(join(dir, 'cloud.db'));
    const failures: string[] = [];
    const seen = await startSeenLog({
      path: join(dir, 'seen.db'),
      devicesPath: join(dir, 'cloud.db'),
      onFailure: (error) => failures.push(error.message),
      script: new URL('../fixtures/workers/seen-worker-exits.ts', import.meta.url),
    });
    opened.push({ db, seen });
    const store = new SqliteRegistryStore(db, seen);
    expect(store.seenWrittenBy).toBe('seen thread');
    await store.saveDevices([lamp()]);
    // Encoded in runs over more than the thread's 20 ms: it dies meanwhile, and the save is refused.
    const many = Array.from({ length: 200_000 }, (_, i) => lamp({ id: `lamp-${i}`, lastSeen: at(1) }));
    await expect(seen.save(many)).rejects.toThrow(/the seen thread exited \(3\)/);
    expect(failures).toEqual(['the seen thread failed: the seen thread exited (3)']);
    expect(seen.failed?.message).toBe('the seen thread failed: the seen thread exited (3)');
    await expect(seen.save([lamp()])).rejects.toThrow(/the seen thread exited/);
    // The store no longer hands its flush to the failed log.
    expect(store.seenWrittenBy).toBe('this thread');
    await store.saveSeen([lamp({ lastSeen: at(2), latest: { dimLevel: 2 } })]);
    expect(await store.getDevice('lamp-1')).toMatchObject({ lastSeen: at(2), latest: { dimLevel: 2 } });
  });

  it('ends its thread with the last log stopped; a log opened later starts another', async () => {
    const { open } = await files();
    const first = await open();
    await first.seen.stop();
    await expect(first.seen.save([lamp()])).rejects.toThrow(/is stopped/);
    const second = await open();
    await second.store.saveDevices([lamp()]);
    await second.store.saveSeen([lamp({ lastSeen: at(3) })]);
    expect((await second.store.getDevice('lamp-1'))?.lastSeen).toBe(at(3));
  });

  it('refuses to open a seen log whose cloud.db cannot be read, saying which', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'seen-missing-'));
    dirs.push(dir);
    await expect(
      startSeenLog({ path: join(dir, 'seen.db'), devicesPath: join(dir, 'no-such-dir', 'cloud.db') }),
    ).rejects.toThrow(/seen log .*seen\.db did not open: /);
  });
});
