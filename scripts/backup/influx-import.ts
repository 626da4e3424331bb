import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { rows } from '../../cloud/storage/influxql.ts';

/**
 * `influxd restore -portable` (1.x) returns before InfluxDB has imported the shards: its client writes
 * each shard's tar to the server and closes the connection without waiting for an answer
 * (services/snapshotter/client.go `UploadShard`). The server creates the database's shards empty and
 * open first (with the metadata, which the client does wait for), then per shard, in the background:
 * disables the shard, writes the files, closes and reopens it. Until then a query of the database
 * finds no points and no error, and a SELECT INTO from it writes 0 points. This waits until every
 * shard of the backup that holds data is imported.
 */

/** The number of shards of `database` in a portable backup folder that hold data (any file). */
export async function shardsHoldingData(folder: string, database: string): Promise<number> {
  const manifests = (await readdir(folder)).filter((name) => name.endsWith('.manifest'));
  let count = 0;
  for (const name of manifests) {
    const manifest = JSON.parse(await readFile(join(folder, name), 'utf8')) as {
      files?: { database: string; fileName: string }[];
    };
    for (const file of manifest.files ?? [])
      if (file.database === database && (await tarHasFile(join(folder, file.fileName)))) count++;
  }
  return count;
}

/**
 * Whether a gzipped tar (a shard's: its TSM files and their tombstones) holds a regular file. Reads
 * only up to the first entry's header (a pax header before it is skipped).
 */
async function tarHasFile(path: string): Promise<boolean> {
  let buffer = Buffer.alloc(0);
  let offset = 0;
  for await (const chunk of createReadStream(path).pipe(createGunzip())) {
    buffer = Buffer.concat([buffer, chunk as Buffer]);
    while (buffer.length >= offset + 512) {
      const header = buffer.subarray(offset, offset + 512);
      const type = String.fromCharCode(header[156] ?? 0);
      if (header.every((byte) => byte === 0)) return false; // the end of the archive
      if (type === '0' || type === '\0') return true;
      const size = Number.parseInt(header.toString('ascii', 124, 136).replace(/\0/g, '').trim(), 8) || 0;
      offset += 512 + Math.ceil(size / 512) * 512;
    }
  }
  return false;
}

/** How many shards of `database` InfluxDB has open and answering with at least one data file. */
async function importedShards(influx: InfluxConnection, database: string): Promise<number> {
  // A shard being imported (disabled, or closed to be reopened) reports no statistics.
  const [series] = await influx.query(`SHOW STATS FOR 'tsm1_filestore'`);
  return (series ?? []).filter(
    (s) => s.tags?.database === database && rows(s).some((r) => Number(r.numFiles) > 0),
  ).length;
}

/**
 * Waits until InfluxDB has imported `expected` shards of `database` (see above). Fails when no more
 * shard was imported for `stallMs`, naming how many were.
 */
export async function waitForImport(
  influx: InfluxConnection,
  database: string,
  expected: number,
  say: (message: string) => void,
  stallMs = 120_000,
): Promise<void> {
  let imported = -1;
  let progressAt = Date.now();
  for (let waitMs = 50; ; waitMs = Math.min(waitMs * 2, 2_000)) {
    const now = await importedShards(influx, database);
    if (now >= expected) return;
    if (now > imported) {
      if (imported >= 0) say(`InfluxDB ${database}: ${now} of ${expected} shards imported`);
      imported = now;
      progressAt = Date.now();
    } else if (Date.now() - progressAt > stallMs)
      throw new Error(
        `InfluxDB ${database}: ${now} of the backup's ${expected} shards with data were imported, and none more in ${stallMs / 1000} s`,
      );
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}
