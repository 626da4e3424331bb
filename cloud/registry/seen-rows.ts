import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { inTimedRuns, type TimedRunsOptions } from '../lifecycle/timed-runs.ts';
import type { DeviceRecord } from './store.ts';

/**
 * What readings change of a device (first and last seen, latest values and their time), kept apart
 * from the registry's devices table: in `seen.db` beside `cloud.db` (attached to the registry's
 * connection as `seen`), written by a thread of its own (seen-thread.ts), so that the one-second
 * flush of the devices heard from costs the main thread its JSON, not a write per device.
 */
export const seenTable = (schema: string) => `CREATE TABLE IF NOT EXISTS ${schema}.device_seen (
  id TEXT PRIMARY KEY,
  first_seen TEXT, last_seen TEXT,
  latest TEXT NOT NULL, latest_ts TEXT
) WITHOUT ROWID`;

/** One device's seen state as the flush sends it: id, first seen, last seen, latest values' time, latest values. */
export type SeenRow = [
  id: string,
  firstSeen: string | null,
  lastSeen: string | null,
  latestTs: string | null,
  latest: DeviceRecord['latest'],
];

/** A device's seen state as a row. */
export const seenRow = (d: DeviceRecord): SeenRow => [
  d.id,
  d.firstSeen ?? null,
  d.lastSeen ?? null,
  d.latestTs ?? null,
  d.latest,
];

/**
 * A JSON array written as UTF-8 into a buffer of its own (outside V8's heap, transferable to a
 * thread), one item's JSON text at a time.
 */
class JsonArrayBytes {
  private bytes = Buffer.allocUnsafeSlow(64 * 1024);
  private length = 1;

  constructor() {
    this.bytes[0] = 0x5b; // [
  }

  add(json: string): void {
    // A UTF-16 code unit is at most 3 bytes of UTF-8; and the comma before the item.
    this.reserve(json.length * 3 + 1);
    if (this.length > 1) this.bytes[this.length++] = 0x2c; // ,
    this.length += this.bytes.write(json, this.length);
  }

  end(): Uint8Array {
    this.reserve(1);
    this.bytes[this.length++] = 0x5d; // ]
    return this.bytes.subarray(0, this.length);
  }

  private reserve(more: number): void {
    if (this.length + more <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}

/**
 * The devices' seen state as UTF-8 JSON texts, each an array of rows made in one run of
 * `inTimedRuns`: a busy flush (20,000 devices, ~30 ms of JSON) written without holding the event
 * loop. Bytes, each text in a buffer of its own that the thread is handed (transferred, not copied):
 * as strings, a run's text (~0.5 MB) outlived the scavenges until it was handed over, and was copied
 * again to be posted (`bench/seen-flush.ts`: 17 % more CPU, twice the collector's time).
 */
export async function encodeSeen(
  devices: readonly DeviceRecord[],
  options: TimedRunsOptions = {},
): Promise<Uint8Array[]> {
  const texts: Uint8Array[] = [];
  await inTimedRuns(
    devices,
    (take) => {
      const text = new JsonArrayBytes();
      for (let d = take(); d; d = take()) text.add(JSON.stringify(seenRow(d)));
      texts.push(text.end());
    },
    options,
  );
  return texts;
}

const isText = (value: unknown) => value === null || typeof value === 'string';
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The rows of `encodeSeen`'s texts; a text of any other shape is refused, naming what is wrong. */
export function decodeSeen(texts: readonly Uint8Array[]): SeenRow[] {
  return texts.flatMap(decodeText);
}

function decodeText(text: Uint8Array, t: number): SeenRow[] {
  const rows: unknown = JSON.parse(utf8.decode(text));
  if (!Array.isArray(rows)) throw new Error(`seen rows: text ${t} is not an array`);
  for (const [i, row] of rows.entries())
    if (
      !Array.isArray(row) ||
      row.length !== 5 ||
      typeof row[0] !== 'string' ||
      !isText(row[1]) ||
      !isText(row[2]) ||
      !isText(row[3]) ||
      typeof row[4] !== 'object' ||
      row[4] === null
    )
      throw new Error(`seen rows: row ${i} of text ${t} is not [id, firstSeen, lastSeen, latestTs, latest]`);
  return rows as SeenRow[];
}

const byId = (a: SeenRow, b: SeenRow) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Writes seen rows into `schema`'s `device_seen` (which must exist), in id order: the table's own. */
export class SeenWriter {
  private readonly upsert: StatementSync;

  constructor(db: DatabaseSync, schema: string) {
    this.upsert = db.prepare(`INSERT INTO ${schema}.device_seen (id, first_seen, last_seen, latest, latest_ts)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET first_seen = excluded.first_seen, last_seen = excluded.last_seen,
        latest = excluded.latest, latest_ts = excluded.latest_ts`);
  }

  /** Sorts `rows` by id (in place) for `write`. */
  static sort(rows: SeenRow[]): SeenRow[] {
    return rows.sort(byId);
  }

  write(row: SeenRow): void {
    this.upsert.run(row[0], row[1], row[2], JSON.stringify(row[4]), row[3]);
  }
}

/**
 * The devices table with each device's seen columns taken from `device_seen` where that row is at
 * least as new (by last seen): the flush writes only there, a whole device's save (provisioning,
 * learning) writes the devices table; whichever was heard last is the device's state. A seen row
 * without a last-seen time (none of the flush's) never hides the devices row's.
 */
export function devicesWithSeen(columns: readonly string[], schema: string): string {
  const seenColumns = new Set(['first_seen', 'last_seen', 'latest', 'latest_ts']);
  const select = columns.map((c) =>
    seenColumns.has(c)
      ? `iif(s.last_seen IS NULL OR s.last_seen < d.last_seen, d.${c}, s.${c}) AS ${c}`
      : `d.${c}`,
  );
  return `SELECT ${select.join(', ')} FROM main.devices d LEFT JOIN ${schema}.device_seen s ON s.id = d.id`;
}
