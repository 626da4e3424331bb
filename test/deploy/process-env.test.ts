import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { cloudProcessEnv } from '../../scripts/cloud-process.ts';

/**
 * The cloud process's environment beyond its configuration (glibc's malloc settings) is set wherever
 * the cloud is started as in production: the image, the one-box systemd unit, `npm run cloud`, and
 * the tests' and benchmarks' cloud process (scripts/cloud-process.ts, the source of these values).
 */
describe("the cloud process's environment", () => {
  const settings = Object.entries(cloudProcessEnv);

  it('sets something (a glibc malloc setting)', () => {
    expect(settings).toContainEqual(['MALLOC_MMAP_THRESHOLD_', '131072']);
  });

  it.each(settings)('the Dockerfile sets %s=%s for every process of the image', async (key, value) => {
    const dockerfile = await readFile('Dockerfile', 'utf8');
    expect(dockerfile).toMatch(new RegExp(`^ENV ${key}=${value}$`, 'm'));
  });

  it.each(settings)('the systemd unit of the cloud sets %s=%s', async (key, value) => {
    const unit = await readFile('provisioning/systemd/platform-cloud.service', 'utf8');
    expect(unit).toMatch(new RegExp(`^Environment=${key}=${value}$`, 'm'));
  });

  it.each(settings)('npm run cloud sets %s=%s', async (key, value) => {
    const scripts = JSON.parse(await readFile('package.json', 'utf8')).scripts as Record<string, string>;
    expect(scripts.cloud).toMatch(new RegExp(`(^| )${key}=${value} .*node cloud/main\\.ts$`));
  });
});
