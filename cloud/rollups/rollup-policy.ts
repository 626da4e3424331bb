import type { Logger } from 'pino';
import type { InfluxConnection } from '../storage/influx.ts';
import { quoteIdent, rows } from '../storage/influxql.ts';
import { shardDuration } from '../storage/retention-policy.ts';

/** The retention policy (1.x) the rollups live in, beside the raw readings' default one. */
export const rollupPolicy = 'rollups';

/**
 * The shard group duration of the rollups' policy. Rollups are sparse (a point per series and hour or
 * day) and kept for years: with the raw readings' 7-day groups a year-long read opens a cursor per
 * series, field and week, and each group's files carry their own overhead. Kept two years or more,
 * they get 52-week groups (the bench measured 26 % less disk at 1,000 devices × a year, and a year of
 * open data answered in one request; docs/benchmarks.md).
 */
export function rollupShardDuration(days: number): string {
  return days >= 730 ? '52w' : shardDuration(days);
}

/**
 * Makes the database keep its rollups `days` days, apart from the raw readings: on 1.x a retention
 * policy of its own (not the default: raw writes and queries do not see it); on 2.x a second bucket,
 * `<database>/rollups`, mapped to (database, `rollups`) by a DBRP mapping, so that the same /write and
 * InfluxQL reach it. 3.x has no retention policies in its v1 API: it says so and leaves it
 * (docs/rollups.md).
 */
export async function ensureRollupPolicy(influx: InfluxConnection, days: number, log: Logger): Promise<void> {
  const { database } = influx.settings;
  const server = await influx.setUp();
  if (/^v?2\./.test(server.version)) {
    await influx.ensureMappedBucket({
      bucket: `${database}/${rollupPolicy}`,
      database,
      retentionPolicy: rollupPolicy,
      everySeconds: days * 86_400,
    });
    log.info({ database, policy: rollupPolicy, days }, 'InfluxDB 2.x bucket of the rollups ready');
    return;
  }
  if (!/^1\./.test(server.version)) {
    log.warn(
      { database, policy: rollupPolicy, days },
      'InfluxDB 3.x: the rollups need a database of their own; see docs/rollups.md',
    );
    return;
  }
  const [policies] = await influx.query(`SHOW RETENTION POLICIES ON ${quoteIdent(database)}`);
  const listed = policies?.[0]?.values ? rows(policies[0]) : [];
  const current = listed.find((p) => p.name === rollupPolicy);
  const on = `${quoteIdent(rollupPolicy)} ON ${quoteIdent(database)} DURATION ${days}d`;
  const shards = `SHARD DURATION ${rollupShardDuration(days)}`;
  if (!current) {
    await influx.query(`CREATE RETENTION POLICY ${on} REPLICATION 1 ${shards}`, 'POST');
    log.info({ database, policy: rollupPolicy, days }, 'InfluxDB retention policy of the rollups created');
  } else if (current.duration !== `${days * 24}h0m0s`) {
    // New shard groups take the new duration; those written keep theirs until they expire.
    await influx.query(`ALTER RETENTION POLICY ${on} ${shards}`, 'POST');
    log.info({ database, policy: rollupPolicy, days }, 'InfluxDB retention policy of the rollups changed');
  }
}
