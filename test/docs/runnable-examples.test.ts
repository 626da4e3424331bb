import { execFile } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { contractExample } from '../../scripts/contract-docs.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { startTestCloud, type TestCloud, testAdminToken } from '../helpers/cloud.ts';
import { withDevices } from '../helpers/fleet.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

/**
 * Every fenced example marked ```` ```sh runnable ```` in README.md and docs/ runs as written, with
 * bash in the platform's folder, beside a running cloud whose DATA_DIR, MQTT_PORT and HTTP_PORT it is
 * given (as a person's shell beside `npm start` has them). `curl -f` makes an HTTP error fail it.
 */
const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

async function runnableExamples(): Promise<{ where: string; script: string }[]> {
  const docs = (await readdir(join(root, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`);
  const found: { where: string; script: string }[] = [];
  for (const file of ['README.md', ...docs]) {
    const text = await readFile(join(root, file), 'utf8');
    for (const match of text.matchAll(/^```sh runnable\n([\s\S]*?)^```$/gm)) {
      const line = text.slice(0, match.index).split('\n').length;
      found.push({ where: `${file}:${line}`, script: match[1] as string });
    }
  }
  return found;
}

let influxd: LocalInfluxd;
let city: TestCloud;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  // The demo city, and the third-party gateway of the MQTT contract's example with its devices.
  const demo = JSON.parse(
    await readFile(join(root, 'provisioning/fleet/demo-city.json'), 'utf8'),
  ) as FleetFile;
  const vendor = { ...(demo.gateways[0] as FleetFile['gateways'][number]), id: contractExample.gatewayId };
  const fleet = withDevices(
    { ...demo, gateways: [...demo.gateways, vendor] },
    contractExample.batch.readings.map((r) => ({ id: r.deviceId, kind: r.kind, gatewayId: vendor.id })),
  );
  city = await startTestCloud(influxd.url, fleet);
  // What `npm start` keeps for a person: the admin token in DATA_DIR.
  await writeFile(join(city.dataDir, 'admin-token'), `${testAdminToken}\n`);
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

describe('the runnable examples of the docs', () => {
  it('are found in the README and the MQTT contract', async () => {
    const where = (await runnableExamples()).map((e) => e.where.split(':')[0]);
    expect(where).toEqual(expect.arrayContaining(['README.md', 'docs/mqtt-contract.md']));
  });

  it('each runs as written against a running cloud', async () => {
    const env = {
      ...process.env,
      PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
      DATA_DIR: city.dataDir,
      MQTT_PORT: new URL(city.mqttUrl).port,
      HTTP_PORT: new URL(city.apiUrl).port,
    };
    const outputs = new Map<string, string>();
    for (const { where, script } of await runnableExamples()) {
      const result = await run('bash', ['-euo', 'pipefail', '-c', script], { cwd: root, env }).catch(
        (error: { code: number; stdout: string; stderr: string }) => {
          throw new Error(`${where} failed (exit ${error.code}):\n${error.stderr}\n${error.stdout}`);
        },
      );
      outputs.set(where, result.stdout);
    }
    // The contract's example reads back the lamp reading it sent, from the API.
    const contract = [...outputs].find(([where]) => where.startsWith('docs/mqtt-contract.md'))?.[1] ?? '';
    const lamp = JSON.parse(contract) as { gatewayId: string; latest: Record<string, unknown> };
    expect(lamp.gatewayId).toBe(contractExample.gatewayId);
    expect(lamp.latest).toMatchObject(contractExample.batch.readings[0]?.metrics ?? {});
    // The README's ends with the lamp command it created.
    const readme = [...outputs].find(([where]) => where.startsWith('README.md'))?.[1] ?? '';
    expect(readme).toContain('"setDimming"');
  });
});
