import {
  InfluxDB,
  setLogger,
  type Transport,
  type WriteApi,
  type WriteOptions,
} from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { type BucketMapping, deleteBucket, ensureBucket, ensureMappedBucket } from './influx-buckets.ts';
import { quoteIdent, type Series } from './influxql.ts';

export interface InfluxSettings {
  url: string;
  /** InfluxDB 2.x/3.x token; empty for 1.x without authentication. */
  token: string;
  /** 1.x database; on 2.x the bucket, mapped for InfluxQL by a DBRP mapping. */
  database: string;
  /** 2.x organisation; ignored by 1.x. */
  org: string;
}

export interface InfluxServer {
  version: string;
  /** Servers older than 1.8 have no /api/v2/write; their writes go to /write. */
  v1WriteOnly: boolean;
}

export class InfluxQueryError extends Error {
  readonly query: string;
  constructor(message: string, query: string) {
    super(`${message} (query: ${query})`);
    this.query = query;
  }
}

/** Asks /ping which InfluxDB this is. 1.x answers with X-Influxdb-Version "1.6.7~rc0", 2.x "v2.7.x". */
export async function detectServer(url: string): Promise<InfluxServer> {
  let res: Response;
  try {
    res = await fetch(`${url}/ping`);
  } catch (error) {
    throw new Error(`InfluxDB at ${url} is not reachable: ${(error as Error).message}`);
  }
  const version = res.headers.get('x-influxdb-version') ?? 'unknown';
  const match = /^v?(\d+)\.(\d+)/.exec(version);
  const [major, minor] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  return { version, v1WriteOnly: major === 1 && minor < 8 };
}

/**
 * Wraps the client's transport so that WriteApi's `/api/v2/write?org&bucket&precision` goes to the
 * v1 endpoint `/write?db&precision` on servers that have only that (`v1Only()`, asked per request:
 * the server may be detected after the connection was made).
 */
function v1WriteTransport(inner: Transport, v1Only: () => boolean): Transport {
  const rewrite = (path: string) => {
    if (!v1Only() || !path.startsWith('/api/v2/write?')) return path;
    const params = new URLSearchParams(path.slice('/api/v2/write?'.length));
    const v1 = new URLSearchParams({
      db: params.get('bucket') ?? '',
      precision: params.get('precision') ?? 'ns',
    });
    return `/write?${v1}`;
  };
  return {
    send: (path, body, options, callbacks) => inner.send(rewrite(path), body, options, callbacks),
    request: (path, body, options, started) => inner.request(rewrite(path), body, options, started),
    iterate: (path, body, options) => inner.iterate(rewrite(path), body, options),
    chunkCombiner: inner.chunkCombiner,
  };
}

interface QueryResponse {
  results?: { statement_id?: number; series?: Series[]; error?: string }[];
  error?: string;
}

/** What `server` says before InfluxDB was reached. */
const notReached: InfluxServer = { version: 'unknown (not reached yet)', v1WriteOnly: false };

/**
 * One InfluxDB: writes (WriteApi) and InfluxQL queries. It may be made before InfluxDB answers (the
 * cloud starts without it, the journal buffers): `setUp()` detects the server and creates the
 * database, and is awaited before writes; until then `server` says it is not reached yet.
 */
export class InfluxConnection {
  readonly settings: InfluxSettings;
  private detected?: InfluxServer;
  private settingUp?: Promise<InfluxServer>;
  private readonly client: InfluxDB;

  constructor(settings: InfluxSettings, server?: InfluxServer) {
    this.settings = settings;
    this.detected = server;
    const base = new InfluxDB({ url: settings.url, token: settings.token || undefined });
    this.client = new InfluxDB({
      url: settings.url,
      token: settings.token || undefined,
      transport: v1WriteTransport(base.transport, () => this.detected?.v1WriteOnly ?? false),
    });
  }

  /** The same InfluxDB, another database (a tenant's): it creates that database when set up. */
  withDatabase(database: string): InfluxConnection {
    return new InfluxConnection({ ...this.settings, database });
  }

  /** The server, once reached (see `setUp`). */
  get server(): InfluxServer {
    return this.detected ?? notReached;
  }

  /** Whether InfluxDB has been reached and set up. */
  get reached(): boolean {
    return this.detected !== undefined;
  }

  /**
   * Detects the server (once) and makes sure the database exists; rejects while InfluxDB is not
   * reachable (the next call tries again).
   */
  setUp(): Promise<InfluxServer> {
    if (this.detected) return Promise.resolve(this.detected);
    this.settingUp ??= (async () => {
      const server = await detectServer(this.settings.url);
      await this.createDatabase(server);
      this.detected = server;
      return server;
    })().finally(() => {
      this.settingUp = undefined;
    });
    return this.settingUp;
  }

  writeApi(options: Partial<WriteOptions>): WriteApi {
    return this.client.getWriteApi(this.settings.org, this.settings.database, 'ms', options);
  }

  /**
   * Writes lines (millisecond timestamps) into a retention policy of the database other than its
   * default, through the v1 `/write?db&rp` endpoint: 1.x natively; 2.x through a DBRP mapping of
   * (database, retention policy) to a bucket; 3.x (see docs/rollups.md).
   */
  async writeInto(retentionPolicy: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const params = new URLSearchParams({ db: this.settings.database, rp: retentionPolicy, precision: 'ms' });
    await this.client.transport.request(`/write?${params}`, lines.join('\n'), {
      method: 'POST',
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }

  /** Runs InfluxQL statements over /query (1.x, 2.x with a DBRP mapping, 3.x); one result per statement. */
  async query(influxql: string, method: 'GET' | 'POST' = 'GET'): Promise<Series[][]> {
    const params = new URLSearchParams({ db: this.settings.database, q: influxql, epoch: 'ms' });
    let body: QueryResponse;
    try {
      body = await this.client.transport.request(`/query?${params}`, null, { method });
    } catch (error) {
      throw new InfluxQueryError(`InfluxDB query failed: ${(error as Error).message}`, influxql);
    }
    if (body.error) throw new InfluxQueryError(body.error, influxql);
    return (body.results ?? []).map((result) => {
      if (result.error) throw new InfluxQueryError(result.error, influxql);
      return result.series ?? [];
    });
  }

  /** The series of a single-statement query. */
  async select(influxql: string): Promise<Series[]> {
    const [series] = await this.query(influxql);
    return series ?? [];
  }

  /** InfluxDB 2.x: a bucket of this organisation mapped to (database, retention policy); see `ensureMappedBucket`. */
  ensureMappedBucket(mapping: BucketMapping): Promise<void> {
    return ensureMappedBucket(this.client.transport, this.settings.org, mapping);
  }

  /**
   * 1.x needs the database created, 2.x the bucket and its DBRP mapping (a tenant made after the
   * installation's provisioning has none); 3.x creates a database at its first write.
   */
  private async createDatabase(server: InfluxServer): Promise<void> {
    if (/^v?2\./.test(server.version))
      return ensureBucket(this.client.transport, this.settings.org, this.settings.database);
    if (!/^1\./.test(server.version)) return;
    await this.query(`CREATE DATABASE ${quoteIdent(this.settings.database)}`, 'POST');
  }

  /**
   * Removes the database and every point in it (a tenant is deleted): 1.x DROP DATABASE, 2.x the
   * bucket. On 3.x, which has no such call in its v1 API, it says so: delete it with its own tools.
   */
  async dropDatabase(): Promise<void> {
    const server = await this.setUp();
    if (/^v?2\./.test(server.version))
      return deleteBucket(this.client.transport, this.settings.org, this.settings.database);
    if (!/^1\./.test(server.version))
      throw new Error(
        `InfluxDB ${server.version}: delete the database ${this.settings.database} with its own tools`,
      );
    await this.query(`DROP DATABASE ${quoteIdent(this.settings.database)}`, 'POST');
  }
}

/**
 * The client library logs to the console by default; in this thread its messages go to `log`
 * instead (at debug: failures are counted and reported by the code that writes).
 */
export function logInfluxClientTo(log: Logger): void {
  setLogger({
    error: (message, error) => log.debug({ err: error }, `influxdb client: ${message}`),
    warn: (message, error) => log.debug({ err: error }, `influxdb client: ${message}`),
  });
}

/** A connection to an InfluxDB that answers now (detected and set up); rejects if it does not. */
export async function connectInflux(settings: InfluxSettings): Promise<InfluxConnection> {
  const connection = new InfluxConnection(settings);
  await connection.setUp();
  return connection;
}
