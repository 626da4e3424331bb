import { InfluxConnection } from '../../cloud/storage/influx.ts';
import { quoteIdent, rows } from '../../cloud/storage/influxql.ts';
import { shardsHoldingData, waitForImport } from './influx-import.ts';
import { runInfluxd } from './influxd-tool.ts';

export interface InfluxTarget {
  /** The RPC address (host:port) where `influxd restore` connects. */
  host: string;
  /** The HTTP address of the same InfluxDB, for its queries: whether the shards are imported, a merge. */
  url: string;
}

/**
 * Restores one database of a backup into an InfluxDB 1.x that may already hold it, and returns once
 * InfluxDB has imported it (`influxd restore` returns before: influx-import.ts). One it does not hold
 * is restored as it is (`influxd restore -portable -db`). One it holds (the town's InfluxDB kept its
 * data, or a restore ran before) `influxd restore` refuses; then the backup is restored under a
 * temporary name, its points are copied into the database per retention policy (SELECT INTO … GROUP
 * BY *, so tags stay tags; a retention policy the database lacks is created like the backup's), and
 * the temporary database is dropped. Points in both take the backup's values; points written since
 * the backup stay. A merge that cannot complete keeps the temporary database and says so.
 */
export async function restoreInfluxDatabase(
  target: InfluxTarget,
  database: string,
  folder: string,
  say: (message: string) => void,
): Promise<void> {
  say(`InfluxDB ${database} into ${target.host}`);
  const influx = new InfluxConnection({ url: target.url, token: '', database, org: '' });
  const shards = await shardsHoldingData(folder, database);
  const restored = await runInfluxd([
    'restore',
    '-portable',
    '-db',
    database,
    '-host',
    target.host,
    folder,
  ]).then(
    () => true,
    (error: Error) => {
      // influxd 1.x: "error updating meta: DB metadata not changed. database may already exist".
      if (!/already exist/.test(error.message)) throw error;
      return false;
    },
  );
  if (restored) {
    await waitForImport(influx, database, shards, say).catch((error: Error) => {
      throw new Error(
        `InfluxDB ${database}: influxd restore sent the backup, but whether InfluxDB at ${target.url} imported it could not be checked (its HTTP address: --influx-url or INFLUX_URL): ${error.message}`,
      );
    });
    return;
  }
  const temporary = `${database}_restore_${Date.now()}`;
  say(`InfluxDB ${database} exists on ${target.host}: restoring into ${temporary}, then merging`);
  await runInfluxd([
    'restore',
    '-portable',
    '-db',
    database,
    '-newdb',
    temporary,
    '-host',
    target.host,
    folder,
  ]);
  try {
    await waitForImport(influx, temporary, shards, say);
    await mergeInto(influx, database, temporary, say);
  } catch (error) {
    throw new Error(
      `InfluxDB ${database}: the merge of the backup did not complete (${(error as Error).message}); ` +
        `the backup's points are kept in the database ${temporary}: merge them with SELECT * INTO ` +
        `${quoteIdent(database)}.<policy>.:MEASUREMENT FROM ${quoteIdent(temporary)}.<policy>./.*/ GROUP BY *, then DROP DATABASE ${quoteIdent(temporary)}`,
    );
  }
  await influx.query(`DROP DATABASE ${quoteIdent(temporary)}`, 'POST');
}

/** Copies every retention policy of `temporary` into `database`, creating the policies it lacks. */
async function mergeInto(
  influx: InfluxConnection,
  database: string,
  temporary: string,
  say: (message: string) => void,
): Promise<void> {
  const policies = async (db: string) =>
    rows((await influx.query(`SHOW RETENTION POLICIES ON ${quoteIdent(db)}`))[0]?.[0]);
  const present = new Set((await policies(database)).map((p) => String(p.name)));
  for (const policy of await policies(temporary)) {
    const name = String(policy.name);
    if (!present.has(name)) {
      const duration = String(policy.duration) === '0s' ? 'INF' : String(policy.duration);
      await influx.query(
        `CREATE RETENTION POLICY ${quoteIdent(name)} ON ${quoteIdent(database)} DURATION ${duration} REPLICATION 1`,
        'POST',
      );
    }
    const written = await mergePolicy(influx, `${quoteIdent(database)}.${quoteIdent(name)}`, {
      from: `${quoteIdent(temporary)}.${quoteIdent(name)}`,
      say: (message) => say(`InfluxDB ${database}.${name}: ${message}`),
    });
    say(`InfluxDB ${database}.${name}: ${written} points merged`);
  }
}

/**
 * One retention policy's SELECT INTO, checked: it must write at least as many points as the source
 * holds (per measurement, its most-filled field's count). It is asked again while it writes fewer or
 * InfluxDB answers that a shard is not open ("engine is closed", "shard is disabled"), for up to a
 * minute; SELECT INTO writes the same points again, so a repeat is harmless.
 */
async function mergePolicy(
  influx: InfluxConnection,
  into: string,
  { from, say }: { from: string; say: (message: string) => void },
): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
    let problem: string;
    try {
      const expected = await pointsAtLeast(influx, from);
      const [result] = await influx.query(
        `SELECT * INTO ${into}.:MEASUREMENT FROM ${from}./.*/ GROUP BY *`,
        'POST',
      );
      const written = rows(result?.[0]).reduce((n, r) => n + Number(r.written ?? 0), 0);
      if (written >= expected) return written;
      problem = `${written} points written of at least ${expected}`;
    } catch (error) {
      const message = (error as Error).message;
      if (!/engine is closed|shard is disabled/.test(message)) throw error;
      problem = `a shard is not open yet (${message})`;
    }
    if (Date.now() > deadline) throw new Error(`merge into ${into}: ${problem}`);
    say(`${problem}: again in ${waitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** A lower bound of the points in a retention policy: per measurement, its most-filled field's count. */
async function pointsAtLeast(influx: InfluxConnection, from: string): Promise<number> {
  const [series] = await influx.query(`SELECT COUNT(*) FROM ${from}./.*/`);
  return (series ?? []).reduce(
    (sum, s) => sum + Math.max(0, ...(s.values[0] ?? []).slice(1).map((v) => Number(v ?? 0))),
    0,
  );
}
