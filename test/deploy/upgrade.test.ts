import { existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { platformDbMigrations } from '../../cloud/platform-migrations.ts';
import { cloudDbMigrations } from '../../cloud/schema-migrations.ts';
import { journalMigrations } from '../../cloud/storage/journal-migrations.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { countPoints, getJson, startTestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

/**
 * An upgrade keeps data: the databases written by release 0.1.0's cloud (test/fixtures/release-0.1.0,
 * made by scripts/fixtures/make-release-fixture.ts run from that release) are opened by this one.
 */
const fixture = 'test/fixtures/release-0.1.0';
const recorded = JSON.parse(await readFile(join(fixture, 'answers.json'), 'utf8')) as {
  fleet: FleetFile;
  journalReadings: number;
  influxDatabase: string;
  answers: Record<string, { items: Record<string, unknown>[] }>;
};
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const pick = (items: Record<string, unknown>[], keys: string[]) =>
  items.map((item) => Object.fromEntries(keys.map((k) => [k, item[k]])));
const userVersion = (path: string) => {
  const db = new DatabaseSync(path, { readOnly: true });
  const { user_version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  db.close();
  return user_version;
};

describe("release 0.1.0's databases opened by this release", () => {
  it('are migrated, and their devices, alerts, rules, users and unsent readings come through', async () => {
    const dir = await tempDir('upgrade');
    cleanups.push(dir.remove);
    const dataDir = join(dir.path, 'data');
    await cp(fixture, dataDir, { recursive: true, filter: (src) => !src.endsWith('.json') });
    const influxd = await startTestInfluxd();
    cleanups.push(influxd.stop);
    const cloud = await startTestCloud(influxd.url, recorded.fleet, {
      DATA_DIR: dataDir,
      INFLUX_DATABASE: recorded.influxDatabase,
    });
    cleanups.push(cloud.stop);
    // The single city became the default tenant: its stores and journal moved, its accounts stayed.
    expect(existsSync(join(dataDir, 'cloud.db'))).toBe(false);
    expect(existsSync(join(dataDir, 'journal.db'))).toBe(false);
    expect(userVersion(join(dataDir, 'tenants', 'default', 'cloud.db'))).toBe(cloudDbMigrations.length);
    expect(userVersion(join(dataDir, 'tenants', 'default', 'journal.db'))).toBe(journalMigrations.length);
    expect(userVersion(join(dataDir, 'platform.db'))).toBe(platformDbMigrations.length);
    const tenants = await getJson<{ items: { id: string; name: string }[] }>(
      `${cloud.apiUrl}/api/v1/tenants`,
    );
    expect(tenants.body.items).toEqual([
      expect.objectContaining({ id: 'default', name: recorded.fleet.city.name }),
    ]);

    const now = async (path: string) =>
      (await getJson<{ items: Record<string, unknown>[] }>(`${cloud.apiUrl}${path}`)).body.items;
    const was = (path: string) => recorded.answers[path]?.items ?? [];
    const devices = '/api/v1/devices?limit=1000';
    expect(was(devices).length).toBeGreaterThan(0);
    expect(pick(await now(devices), ['id', 'kind', 'latest'])).toEqual(
      pick(was(devices), ['id', 'kind', 'latest']),
    );
    const alertKeys = ['id', 'ruleId', 'deviceId', 'state', 'startedAt'];
    expect(pick(await now('/api/v1/alerts'), alertKeys)).toEqual(
      expect.arrayContaining(pick(was('/api/v1/alerts'), alertKeys)),
    );
    expect(was('/api/v1/alerts').length).toBeGreaterThan(0);
    expect(await now('/api/v1/rules')).toEqual(was('/api/v1/rules'));
    // Each account now says whose it is: the city's, which became the default tenant.
    expect(await now('/api/v1/users')).toEqual(
      was('/api/v1/users').map((user) => ({ ...user, tenant: 'default', grants: [] })),
    );
    // Readings acknowledged by the old release but not yet in InfluxDB reach InfluxDB.
    await waitFor(
      'the journal of the old release drained',
      async () => (await countPoints(cloud.influx, 'wasteBin', 'fillingLevel')) === recorded.journalReadings,
    );
  });
});
