import { InfluxConnection } from '../../cloud/storage/influx.ts';
import { quoteIdent, rows } from '../../cloud/storage/influxql.ts';
import { runInfluxd } from './influxd-tool.ts';

export interface InfluxTarget {
  /** The RPC address (host:port) where `influxd restore` connects. */
  host: string;
  /** The HTTP address of the same InfluxDB, for the queries of a merge. */
  url: string;
}

/**
 * Restores one database of a backup into an InfluxDB 1.x that may already hold it. One it does not
 * hold is restored as it is (`influxd restore -portable -db`). One it holds (the town's InfluxDB kept
 * its data, or a restore ran before) `influxd restore` refuses; then (and only then: `url` is needed
 * for this alone) the backup is restored under a
 * temporary name, its points are copied into the database per retention policy (SELECT INTO … GROUP BY
 * *, so tags stay tags; a retention policy the database lacks is created like the backup's), and the
 * temporary database is dropped. Points in both take the backup's values; points written since the
 * backup stay.
 */
export async function restoreInfluxDatabase(
  target: InfluxTarget,
  database: string,
  folder: string,
  say: (message: string) => void,
): Promise<void> {
  say(`InfluxDB ${database} into ${target.host}`);
  try {
    await runInfluxd(['restore', '-portable', '-db', database, '-host', target.host, folder]);
    return;
  } catch (error) {
    // influxd 1.x: "error updating meta: DB metadata not changed. database may already exist".
    if (!/already exist/.test((error as Error).message)) throw error;
  }
  const influx = new InfluxConnection({ url: target.url, token: '', database, org: '' });
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
      const [result] = await whileShardsOpen(say, () =>
        influx.query(
          `SELECT * INTO ${quoteIdent(database)}.${quoteIdent(name)}.:MEASUREMENT FROM ${quoteIdent(temporary)}.${quoteIdent(name)}./.*/ GROUP BY *`,
          'POST',
        ),
      );
      const written = rows(result?.[0]).reduce((n, r) => n + Number(r.written ?? 0), 0);
      say(`InfluxDB ${database}.${name}: ${written} points merged`);
    }
  } finally {
    await influx.query(`DROP DATABASE ${quoteIdent(temporary)}`, 'POST');
  }
}

/**
 * Runs `query` again while InfluxDB 1.x answers that a shard of the database just restored is not open
 * yet ("engine is closed", "shard is disabled": it opens the imported shards after `influxd restore`
 * returned), for up to a minute. SELECT INTO writes the same points again, so a repeat is harmless.
 */
async function whileShardsOpen<T>(say: (message: string) => void, query: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (let waitMs = 200; ; waitMs = Math.min(waitMs * 2, 5_000)) {
    try {
      return await query();
    } catch (error) {
      const message = (error as Error).message;
      if (!/engine is closed|shard is disabled/.test(message) || Date.now() > deadline) throw error;
      say(`InfluxDB is still opening the restored shards (${message}): again in ${waitMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
