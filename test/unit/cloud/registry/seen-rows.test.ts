import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import {
  decodeSeen,
  devicesWithSeen,
  encodeSeen,
  type SeenRow,
  SeenWriter,
  seenRow,
  seenTable,
} from '../../../../cloud/registry/seen-rows.ts';
import { deviceRecord } from '../../../helpers/device-record.ts';

const device = deviceRecord;
/** A text as the thread is handed it: UTF-8 bytes. */
const bytes = (text: string) => new Uint8Array(Buffer.from(text));
const text = (chunk: Uint8Array) => Buffer.from(chunk).toString('utf8');
const at = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('seen rows', () => {
  it("are a device's id, first and last seen, the latest values' time and the values, none left out", () => {
    expect(seenRow(device('a'))).toEqual(['a', null, null, null, {}]);
    expect(
      seenRow(device('b', { firstSeen: at(1), lastSeen: at(2), latestTs: at(3), latest: { on: true } })),
    ).toEqual(['b', at(1), at(2), at(3), { on: true }]);
  });

  it('go to the thread as JSON texts and come back as they were', async () => {
    const devices = [
      device('lamp "1"', {
        firstSeen: at(1),
        lastSeen: at(2),
        latestTs: at(2),
        latest: { dim: 4.5, state: 'on' },
      }),
      device('bin-2', { latest: { fill: 0, lid: false } }),
    ];
    const texts = await encodeSeen(devices);
    expect(texts).toHaveLength(1);
    expect(decodeSeen(texts)).toEqual(devices.map(seenRow));
  });

  it('are written as UTF-8 of any length into buffers of their own, which a thread can be handed', async () => {
    // Ids and values of up to 3 bytes a character (Czech, a symbol) and 4 (an emoji): a text far
    // past the first buffer's 64 KiB, in one run.
    const devices = Array.from({ length: 3_000 }, (_, i) =>
      // The first alone: three bytes a character, more than the first buffer holds.
      i === 0
        ? device('€'.repeat(60_000))
        : device(`lampa-${i}-${'🚦'.repeat(i % 7)}${'ž'.repeat(20)}`, {
            lastSeen: at(1),
            latest: { street: `Náměstí Míru ${'€'.repeat(i % 30)}`, level: i / 7 },
          }),
    );
    const texts = await encodeSeen(devices, { budgetMs: Number.POSITIVE_INFINITY });
    expect(texts).toHaveLength(1);
    const [only] = texts as [Uint8Array];
    expect(only.byteLength).toBeGreaterThan(64 * 1024);
    expect(text(only)).toBe(JSON.stringify(devices.map(seenRow)));
    expect(decodeSeen(texts)).toEqual(devices.map(seenRow));
    const twoRuns = await encodeSeen(devices.slice(0, 2), { budgetMs: 0, pause: async () => undefined });
    expect(new Set(twoRuns.map((t) => t.buffer)).size).toBe(2);
    const { port1 } = new MessageChannel();
    port1.postMessage(
      twoRuns,
      twoRuns.map((t) => t.buffer as ArrayBuffer),
    );
    port1.close();
    expect(twoRuns.map((t) => t.byteLength)).toEqual([0, 0]);
  });

  it('are encoded in timed runs, the event loop let in between', async () => {
    const devices = ['a', 'b', 'c'].map((id) => device(id, { lastSeen: at(1) }));
    let pauses = 0;
    // A run of no time takes one device: a text each, a pause before each but the first.
    const texts = await encodeSeen(devices, { budgetMs: 0, pause: async () => void pauses++ });
    expect(texts.map(text)).toEqual(devices.map((d) => JSON.stringify([seenRow(d)])));
    expect(pauses).toBe(2);
    expect(decodeSeen(texts).map((row) => row[0])).toEqual(['a', 'b', 'c']);
    expect(await encodeSeen([])).toEqual([]);
  });

  it('refuse a text of any other shape, saying which row of which text', () => {
    const good = bytes(JSON.stringify([['a', null, at(1), null, {}]]));
    expect(decodeSeen([good, bytes('[]')])).toHaveLength(1);
    expect(() => decodeSeen([good, bytes('{}')])).toThrow('seen rows: text 1 is not an array');
    const bad: unknown[] = [
      'a',
      ['a', null, null, null],
      ['a', null, null, null, {}, 1],
      [1, null, null, null, {}],
      ['a', 1, null, null, {}],
      ['a', null, 1, null, {}],
      ['a', null, null, 1, {}],
      ['a', null, null, null, null],
      ['a', null, null, null, 'x'],
    ];
    for (const row of bad)
      expect(
        () => decodeSeen([good, bytes(JSON.stringify([['ok', null, null, null, {}], row]))]),
        JSON.stringify(row),
      ).toThrow('seen rows: row 1 of text 1 is not [id, firstSeen, lastSeen, latestTs, latest]');
    expect(() => decodeSeen([bytes('[')]), 'not JSON').toThrow(SyntaxError);
    expect(() => decodeSeen([new Uint8Array([0x5b, 0xff, 0x5d])]), 'not UTF-8').toThrow(TypeError);
  });
});

describe('the seen table', () => {
  function database() {
    const db = new DatabaseSync(':memory:');
    db.exec(`CREATE TABLE devices (id TEXT PRIMARY KEY, kind TEXT, first_seen TEXT, last_seen TEXT, latest TEXT, latest_ts TEXT);
      ATTACH DATABASE ':memory:' AS seen; ${seenTable('seen')}`);
    return db;
  }

  it('is written in id order, a device written again replacing its row', () => {
    const db = database();
    const writer = new SeenWriter(db, 'seen');
    const rows: SeenRow[] = [
      ['c', null, at(1), null, {}],
      ['a', at(1), at(2), at(2), { dim: 1 }],
      ['b', null, at(1), null, {}],
    ];
    expect(SeenWriter.sort(rows).map((row) => row[0])).toEqual(['a', 'b', 'c']);
    for (const row of rows) writer.write(row);
    writer.write(['a', at(1), at(3), at(3), { dim: 2 }]);
    // A device twice in one flush keeps its order: the later state is written last and stays.
    const twice = SeenWriter.sort([
      ['b', null, at(4), null, { dim: 4 }],
      ['a', null, at(4), null, {}],
      ['b', null, at(5), null, { dim: 5 }],
    ]);
    expect(twice.map((row) => [row[0], row[2]])).toEqual([
      ['a', at(4)],
      ['b', at(4)],
      ['b', at(5)],
    ]);
    expect(db.prepare('SELECT * FROM seen.device_seen').all()).toEqual([
      { id: 'a', first_seen: at(1), last_seen: at(3), latest: '{"dim":2}', latest_ts: at(3) },
      { id: 'b', first_seen: null, last_seen: at(1), latest: '{}', latest_ts: null },
      { id: 'c', first_seen: null, last_seen: at(1), latest: '{}', latest_ts: null },
    ]);
  });

  it("overlays the devices' seen columns where it was heard at least as late, the other columns never", () => {
    const db = database();
    const insert = db.prepare('INSERT INTO devices VALUES (?, ?, ?, ?, ?, ?)');
    const writer = new SeenWriter(db, 'seen');
    // Not in the seen table: the devices row.
    insert.run('none', 'lamp', at(1), at(1), '{"d":1}', at(1));
    // The seen row is newer, as new, older; the devices row never heard from.
    insert.run('newer', 'lamp', at(1), at(1), '{"d":1}', at(1));
    writer.write(['newer', at(1), at(2), at(2), { d: 2 }]);
    insert.run('same', 'lamp', at(1), at(2), '{"d":1}', at(1));
    writer.write(['same', at(1), at(2), at(2), { d: 2 }]);
    insert.run('older', 'lamp', at(1), at(5), '{"d":5}', at(5));
    writer.write(['older', at(0), at(4), at(4), { d: 4 }]);
    insert.run('never', 'bin', null, null, '{}', null);
    writer.write(['never', at(3), at(3), at(3), { d: 3 }]);
    // Heard of, not stored: not a device.
    writer.write(['orphan', at(3), at(3), at(3), { d: 3 }]);
    // A seen row without a last-seen time hides nothing (the flush writes none such).
    insert.run('unseen', 'lamp', at(1), at(1), '{"d":1}', at(1));
    writer.write(['unseen', null, null, null, {}]);
    const query = `${devicesWithSeen(['id', 'kind', 'first_seen', 'last_seen', 'latest', 'latest_ts'], 'seen')} ORDER BY d.id`;
    expect(db.prepare(query).all()).toEqual([
      { id: 'never', kind: 'bin', first_seen: at(3), last_seen: at(3), latest: '{"d":3}', latest_ts: at(3) },
      { id: 'newer', kind: 'lamp', first_seen: at(1), last_seen: at(2), latest: '{"d":2}', latest_ts: at(2) },
      { id: 'none', kind: 'lamp', first_seen: at(1), last_seen: at(1), latest: '{"d":1}', latest_ts: at(1) },
      { id: 'older', kind: 'lamp', first_seen: at(1), last_seen: at(5), latest: '{"d":5}', latest_ts: at(5) },
      { id: 'same', kind: 'lamp', first_seen: at(1), last_seen: at(2), latest: '{"d":2}', latest_ts: at(2) },
      {
        id: 'unseen',
        kind: 'lamp',
        first_seen: at(1),
        last_seen: at(1),
        latest: '{"d":1}',
        latest_ts: at(1),
      },
    ]);
  });
});
