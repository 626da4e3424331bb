import type { Logger } from 'pino';
import type { InfluxConnection } from './influx.ts';
import { quoteIdent, rows } from './influxql.ts';

/** InfluxDB's own default shard group length for a retention (1h under 2 days, 1d up to 6 months, else 7d). */
export function shardDuration(days: number): string {
  if (days < 2) return '1h';
  return days <= 180 ? '1d' : '7d';
}

/**
 * Makes InfluxDB keep `days` days of points (READINGS_RETENTION_DAYS): on 1.x the database's default
 * retention policy is altered (created as `autogen` if it has none), so the points already written
 * stay visible and older ones are dropped by InfluxDB itself. On 2.x/3.x a bucket's retention belongs
 * to the bucket: docker-compose sets it at first start (INFLUX_RETENTION); this only says so.
 * Returns what it did.
 */
export async function applyRetentionPolicy(
  influx: InfluxConnection,
  days: number,
  log: Logger,
): Promise<'altered' | 'created' | 'bucket'> {
  const database = influx.settings.database;
  if (!/^1\./.test(influx.server.version)) {
    log.info(
      { database, days },
      'InfluxDB 2.x/3.x: the bucket keeps its own retention (INFLUX_RETENTION in the compose init); set it to READINGS_RETENTION_DAYS',
    );
    return 'bucket';
  }
  const [policies] = await influx.query(`SHOW RETENTION POLICIES ON ${quoteIdent(database)}`);
  // A database without any policy answers a series with columns and no values.
  const listed = policies?.[0]?.values ? rows(policies[0]) : [];
  const current = listed.find((policy) => policy.default === true);
  const name = current ? String(current.name) : 'autogen';
  const on = `${quoteIdent(name)} ON ${quoteIdent(database)} DURATION ${days}d`;
  const shards = `SHARD DURATION ${shardDuration(days)} DEFAULT`;
  const statement = current
    ? `ALTER RETENTION POLICY ${on} ${shards}`
    : `CREATE RETENTION POLICY ${on} REPLICATION 1 ${shards}`;
  await influx.query(statement, 'POST');
  log.info({ database, policy: name, days }, 'InfluxDB retention policy set');
  return current ? 'altered' : 'created';
}
