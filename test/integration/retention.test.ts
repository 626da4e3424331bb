import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { waitFor } from '../helpers/wait.ts';

const dayMs = 86_400_000;
let clock = Date.now();
let influxd: LocalInfluxd;
let city: TestCloud;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  // The pruning job every second, on the cloud's injected clock.
  city = await startTestCloud(
    influxd.url,
    undefined,
    { PRUNE_CRON: '* * * * * *', AUDIT_RETENTION_DAYS: '30' },
    () => new Date(clock),
  );
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

const createToken = async (name: string) => {
  const res = await apiFetch(`${city.apiUrl}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, role: 'viewer' }),
  });
  return ((await res.json()) as { id: string }).id;
};

const audited = async () =>
  (await getJson<{ items: { target: string }[] }>(`${city.apiUrl}/api/v1/audit?limit=100`)).body.items.map(
    (entry) => entry.target,
  );

describe('the pruning job in a running cloud', () => {
  it('deletes audit entries older than AUDIT_RETENTION_DAYS and keeps the younger ones', async () => {
    const old = await createToken('before');
    expect(await audited()).toEqual([old]);
    clock += 31 * dayMs;
    const recent = await createToken('after');
    await waitFor('the old audit entry pruned', async () => {
      const targets = await audited();
      return targets.length === 1 && targets[0] === recent;
    });
  });
});
