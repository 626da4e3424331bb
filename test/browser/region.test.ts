import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueCredential } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { apiFetch, getJson, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import {
  asRegion,
  createTenant,
  karlovyVary,
  loket,
  type Town,
  writeTownFolders,
} from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';
import { launchChromium } from './chromium.ts';
import { connectGateways, type TestGateways } from './city.ts';
import { expectAccessible, openConsolePage, screenshot, signInAs } from './harness.ts';
import { firstSignIn } from './users.ts';

/**
 * The console of a region hosting two towns (Karlovy Vary and Loket), in headless Chromium against
 * a real cloud whose towns' gateways report over MQTT: region staff switch between the towns (every
 * request naming the town shown), watch both towns' alerts on the Region page, and create, change,
 * suspend, resume and delete a town on the Towns page; a town's own account sees its town only.
 */
const messages = (lang: string) =>
  JSON.parse(readFileSync(new URL(`../../console/src/i18n/${lang}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;
const en = messages('en');
const cs = messages('cs');

const regionAdmin = { username: 'kraj-admin', password: 'the region admin of these tests' };
const townUser = { username: 'lo-technik', password: 'the technician of loket' };

let influxd: LocalInfluxd;
let dir: Awaited<ReturnType<typeof tempDir>>;
let cloud: TestCloud;
let browser: Browser;
const gateways: TestGateways[] = [];
/** Each town's failed lamp and its open alert. */
const faults = new Map<string, { lamp: string; alert: string }>();

async function startTown(town: Town) {
  await createTenant(cloud.apiUrl, town);
  const credentials = join(cloud.dataDir, 'gateway-credentials.json');
  const city = await connectGateways(town.fleet, cloud.mqttUrl, (gateway) =>
    issueCredential(credentials, gateway, new Date(), town.id),
  );
  gateways.push(city);
  const lamp = town.fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
  await city.report({ [lamp]: { status: 'defectiveLamp', powerState: 'off' } });
  const alert = await waitFor(
    `the lamp-fault alert of ${town.id}`,
    async () => {
      const res = await asRegion(cloud.apiUrl, town.id, `/api/v1/alerts?state=open&device=${lamp}`);
      const body = (await res.json()) as { items: { id: string; ruleId: string }[] };
      return body.items.find((a) => a.ruleId === 'lamp-fault')?.id;
    },
    20_000,
  );
  faults.set(town.id, { lamp, alert });
}

/** An account made as an administrator makes it, then through its first sign-in (its own password). */
async function createAccount(
  path: string,
  user: { username: string; password: string },
  role: string,
  tenant?: string,
) {
  const first = `first password of ${user.username}`;
  const body = JSON.stringify({ username: user.username, role, password: first });
  const created = tenant
    ? await asRegion(cloud.apiUrl, tenant, path, { method: 'POST', body })
    : await apiFetch(`${cloud.apiUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
  if (created.status !== 201) throw new Error(`creating ${user.username}: ${await created.text()}`);
  await firstSignIn(cloud.apiUrl, user.username, first, user.password);
}

beforeAll(async () => {
  // Chromium starts while the cloud and the towns do (each takes seconds on a loaded machine).
  const launching = launchChromium();
  launching.catch(() => undefined);
  influxd = await startTestInfluxd();
  dir = await tempDir('region-console');
  const tenantsDir = join(dir.path, 'tenants');
  await writeTownFolders(tenantsDir, [karlovyVary, loket]);
  cloud = await startTestCloud(influxd.url, undefined, {
    TENANTS_DIR: tenantsDir,
    DEFAULT_TENANT: 'false',
    RULES_TICK_S: '1',
  });
  await startTown(karlovyVary);
  await startTown(loket);
  await createAccount('/api/v1/region/users', regionAdmin, 'admin');
  await createAccount('/api/v1/users', townUser, 'operator', loket.id);
  browser = await launching;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const city of gateways) await city.close();
  await cloud?.stop();
  await influxd?.stop();
  await dir?.remove();
});

async function shows(locator: Locator, text: string) {
  await expect.poll(() => locator.first().textContent(), { timeout: 15_000 }).toContain(text);
}

async function heading(page: Page, text: string) {
  await expect.poll(() => page.locator('main h1').first().textContent(), { timeout: 15_000 }).toContain(text);
}

/** The town the page's address names. */
const addressTown = (page: Page) => new URL(page.url()).searchParams.get('tenant');

/** Every API request the page makes, with the town it named (X-Tenant, or `tenant=` for the stream). */
function recordRequests(page: Page) {
  const seen: { method: string; path: string; tenant: string | undefined }[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (!url.pathname.startsWith('/api/')) return;
    const tenant = request.headers()['x-tenant'] ?? url.searchParams.get('tenant') ?? undefined;
    seen.push({ method: request.method(), path: url.pathname, tenant });
  });
  return seen;
}

/** Requests that name no town by design: signing in, the session, and the list of towns read to choose one. */
const namesNoTown = (r: { method: string; path: string }) =>
  r.path === '/api/v1/session' || (r.method === 'GET' && r.path === '/api/v1/tenants');

/** The rows' first cells (the gateways' ids) of the Gateways page, once it lists `count` of them. */
async function gatewayIds(page: Page, count: number): Promise<string[]> {
  const rows = page.locator('[data-testid=gateways-table] tbody th');
  await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(count);
  return rows.allTextContents();
}

describe('a region admin', () => {
  it("switches between two towns, sees each town's gateways and alerts only, and every request names the town", async () => {
    const page = await openConsolePage(browser, cloud.apiUrl, 'en');
    const requests = recordRequests(page);
    await signInAs(page, regionAdmin);
    const town = page.getByLabel(en['tenant.switch'] as string);
    await expect.poll(() => town.inputValue()).toBe(karlovyVary.id);
    await expect.poll(() => addressTown(page)).toBe(karlovyVary.id);
    await page.getByRole('link', { name: en['nav.gateways'] }).click();
    await heading(page, en['gateways.title'] as string);
    const kvGateways = await gatewayIds(page, karlovyVary.fleet.gateways.length);
    expect(kvGateways.every((id) => id.startsWith('kv-'))).toBe(true);
    await expect.poll(() => addressTown(page)).toBe(karlovyVary.id);
    await expectAccessible(page, 'the gateways of a town, with the town switch');
    const before = requests.length;

    await town.selectOption(loket.id);
    await expect.poll(() => addressTown(page)).toBe(loket.id);
    const loGateways = await gatewayIds(page, loket.fleet.gateways.length);
    expect(loGateways.every((id) => id.startsWith('lo-'))).toBe(true);
    await page.getByRole('link', { name: en['nav.alerts'] }).click();
    const rows = page.locator('[data-testid=alerts-table] tbody tr');
    await shows(
      rows.filter({ hasText: faults.get(loket.id)?.lamp as string }),
      faults.get(loket.id)?.lamp as string,
    );
    expect((await rows.allTextContents()).filter((row) => row.includes('kv-'))).toEqual([]);

    // Every request of the pages named the town shown: Karlovy Vary before the switch, Loket after,
    // the live stream included (it reconnected for Loket).
    const first = requests.slice(0, before).filter((r) => !namesNoTown(r));
    expect(first.length).toBeGreaterThan(3);
    expect(first.filter((r) => r.tenant !== karlovyVary.id)).toEqual([]);
    const after = requests.slice(before).filter((r) => !namesNoTown(r));
    expect(after.length).toBeGreaterThan(3);
    expect(after.filter((r) => r.tenant !== loket.id)).toEqual([]);
    const streams = requests.filter((r) => r.path === '/api/v1/events').map((r) => r.tenant);
    expect(streams).toEqual([karlovyVary.id, loket.id]);

    // Remembered by the browser: the console opened again shows Loket; a link naming a town opens it.
    await page.goto('/gateways');
    await expect.poll(() => addressTown(page)).toBe(loket.id);
    await gatewayIds(page, loket.fleet.gateways.length);
    await page.goto(`/gateways?tenant=${karlovyVary.id}`);
    expect((await gatewayIds(page, karlovyVary.fleet.gateways.length))[0]).toMatch(/^kv-/);
    await expect.poll(() => town.inputValue()).toBe(karlovyVary.id);
    await page.context().close();
  });

  it('watches the open alerts of both towns on the Region page, and opens one in its town', async () => {
    const page = await openConsolePage(browser, cloud.apiUrl, 'en');
    await signInAs(page, regionAdmin, `/region?tenant=${karlovyVary.id}`);
    await heading(page, en['region.title'] as string);
    const rows = page.locator('[data-testid=region-alerts] tbody tr');
    const kv = faults.get(karlovyVary.id) as { lamp: string; alert: string };
    const lo = faults.get(loket.id) as { lamp: string; alert: string };
    await shows(rows.filter({ hasText: kv.lamp }), karlovyVary.fleet.city.name);
    await shows(rows.filter({ hasText: lo.lamp }), loket.fleet.city.name);
    // Newest first, each with its town's name, as the API answers.
    const { body } = await getJson<{ items: { tenant: string; subject: { id: string }; firedAt: string }[] }>(
      `${cloud.apiUrl}/api/v1/region/alerts`,
    );
    const fired = body.items.map((a) => a.firedAt);
    expect(fired).toEqual([...fired].sort().reverse());
    await expect.poll(() => rows.count()).toBe(body.items.length);
    const names = new Map([karlovyVary, loket].map((town) => [town.id, town.fleet.city.name]));
    const shown = await rows.allTextContents();
    for (const [i, alert] of body.items.entries()) {
      expect(shown[i]).toContain(names.get(alert.tenant));
      expect(shown[i]).toContain(alert.subject.id);
    }
    await expectAccessible(page, 'the Region page');
    await screenshot(page, 'region');

    // Live: a new alert of the town shown appears without a reload.
    const bin = karlovyVary.fleet.devices.find((d) => d.kind === 'wasteBin')?.id as string;
    await gateways[0]?.send(bin, { fillingLevel: 95 });
    await shows(
      rows.filter({ hasText: 'Bin above 80' }).filter({ hasText: bin }),
      karlovyVary.fleet.city.name,
    );

    await rows.filter({ hasText: lo.lamp }).getByRole('link').click();
    await expect.poll(() => addressTown(page)).toBe(loket.id);
    expect(new URL(page.url()).pathname).toBe(`/alerts/${lo.alert}`);
    await shows(page.getByTestId('alert-detail'), lo.lamp);
    await expect.poll(() => page.getByLabel(en['tenant.switch'] as string).inputValue()).toBe(loket.id);
    await page.context().close();
  });

  it('creates, changes, suspends, resumes and deletes a town on the Towns page', async () => {
    const page = await openConsolePage(browser, cloud.apiUrl, 'en');
    await signInAs(page, regionAdmin);
    await page.getByRole('link', { name: en['nav.tenants'] }).click();
    await heading(page, en['tenants.title'] as string);
    const row = (id: string) => page.locator(`[data-testid=tenants-table] tbody tr[data-tenant=${id}]`);
    await shows(row(karlovyVary.id), `${karlovyVary.fleet.devices.length} / 1,000,000`);
    await shows(row(loket.id), `${loket.fleet.gateways.length} / 10,000`);
    await expectAccessible(page, 'the Towns page');

    // Refused as the API says: at the field it names, or the whole problem.
    const add = page.getByRole('button', { name: en['tenants.addSubmit'] });
    await page.locator('#tenant-id').fill('Sokolov');
    await page.locator('#tenant-name').fill('Sokolov');
    await page.locator('#tenant-location-lat').fill('50,1813');
    await page.locator('#tenant-location-lon').fill('12,6401');
    await add.click();
    await page.locator('#tenant-id-error').waitFor();
    expect(await page.locator('#tenant-id').getAttribute('aria-invalid')).toBe('true');
    await page.locator('#tenant-id').fill(loket.id);
    await add.click();
    await shows(page.locator('form .error[role=alert]'), '409');

    await page.locator('#tenant-id').fill('sokolov');
    await page.locator('#tenant-quotas-devices').fill('500');
    await add.click();
    await shows(page.getByRole('status'), 'Sokolov');
    await shows(row('sokolov'), '0 / 500');
    const sokolov = async () =>
      (
        await getJson<{ name: string; status: string; location: unknown; quotas: Record<string, number> }>(
          `${cloud.apiUrl}/api/v1/tenants/sokolov`,
        )
      ).body;
    expect(await sokolov()).toMatchObject({
      name: 'Sokolov',
      status: 'active',
      location: { lat: 50.1813, lon: 12.6401 },
      quotas: { devices: 500 },
    });
    await shows(page.getByLabel(en['tenant.switch'] as string), 'Sokolov');

    await row('sokolov').getByRole('button', { name: en['tenants.edit'] }).click();
    const change = page.getByTestId('tenant-change');
    await change.locator('#tenant-name').fill('Město Sokolov');
    await change.locator('#tenant-quotas-gateways').fill('5');
    await change.getByRole('button', { name: en['common.save'] }).click();
    await shows(row('sokolov'), 'Město Sokolov');
    expect(await sokolov()).toMatchObject({ name: 'Město Sokolov', quotas: { devices: 500, gateways: 5 } });

    await row('sokolov').getByRole('button', { name: en['tenants.suspend'] }).click();
    const suspend = page.getByTestId('suspend-dialog');
    await shows(suspend, en['tenants.suspendTitle']?.replace('{name}', 'Město Sokolov') as string);
    await expectAccessible(page, 'the suspension dialog');
    await suspend.getByRole('button', { name: en['tenants.suspendConfirm'] }).click();
    await shows(row('sokolov'), en['tenantStatus.suspended'] as string);
    expect((await sokolov()).status).toBe('suspended');
    await shows(
      page.getByLabel(en['tenant.switch'] as string),
      en['tenant.suspendedName']?.replace('{name}', 'Město Sokolov') as string,
    );

    await row('sokolov').getByRole('button', { name: en['tenants.resume'] }).click();
    await page
      .getByTestId('resume-dialog')
      .getByRole('button', { name: en['tenants.resumeConfirm'] })
      .click();
    await shows(row('sokolov'), en['tenantStatus.active'] as string);
    expect((await sokolov()).status).toBe('active');
    await page.locator('header.top').scrollIntoViewIfNeeded();
    await screenshot(page, 'tenants');

    // Deleting needs the town's id typed.
    await row('sokolov').getByRole('button', { name: en['tenants.delete'] }).click();
    const remove = page.getByTestId('delete-dialog');
    const confirm = remove.getByRole('button', { name: en['tenants.deleteConfirm'] });
    expect(await confirm.isDisabled()).toBe(true);
    await remove.getByRole('textbox').fill('sokolo');
    expect(await confirm.isDisabled()).toBe(true);
    await remove.getByRole('textbox').fill('sokolov');
    await expect.poll(() => confirm.isDisabled()).toBe(false);
    await expectAccessible(page, 'the deletion dialog');
    await screenshot(page, 'tenant-delete');
    await confirm.click();
    await shows(page.getByRole('status'), 'Město Sokolov');
    await expect.poll(() => row('sokolov').count()).toBe(0);
    expect((await apiFetch(`${cloud.apiUrl}/api/v1/tenants/sokolov`)).status).toBe(404);
    await page.context().close();
  });

  it('has the Region and Towns pages in Czech', async () => {
    const page = await openConsolePage(browser, cloud.apiUrl, 'cs');
    await signInAs(page, regionAdmin);
    await page.getByRole('link', { name: cs['nav.region'] }).click();
    await heading(page, cs['region.title'] as string);
    await shows(page.locator('[data-testid=region-alerts] tbody'), loket.fleet.city.name);
    await expectAccessible(page, 'the Region page in Czech');
    await page.getByRole('link', { name: cs['nav.tenants'] }).click();
    await heading(page, cs['tenants.title'] as string);
    await shows(page.locator(`[data-testid=tenants-table] tbody tr[data-tenant=${loket.id}]`), 'V provozu');
    await expectAccessible(page, 'the Towns page in Czech');
    await screenshot(page, 'tenants-cs');
    await page.context().close();
  });
});

describe("a town's own account", () => {
  it('sees its town only: its name in the header, no switch, no Region or Towns page', async () => {
    const page = await openConsolePage(browser, cloud.apiUrl, 'en');
    const requests = recordRequests(page);
    await signInAs(page, townUser);
    await shows(page.getByTestId('town'), loket.fleet.city.name);
    expect(await page.getByTestId('tenant-switch').count()).toBe(0);
    const menu = page.locator('header.top nav');
    await shows(menu, en['nav.alerts'] as string);
    expect(await menu.getByRole('link', { name: en['nav.region'] }).count()).toBe(0);
    expect(await menu.getByRole('link', { name: en['nav.tenants'] }).count()).toBe(0);
    // A link naming another town shows its own; the Towns page is not there for it.
    await page.goto(`/gateways?tenant=${karlovyVary.id}`);
    expect((await gatewayIds(page, loket.fleet.gateways.length)).every((id) => id.startsWith('lo-'))).toBe(
      true,
    );
    await page.goto('/tenants');
    await heading(page, en['overview.title'] as string);
    expect(requests.filter((r) => r.tenant !== undefined)).toEqual([]);
    await expectAccessible(page, "a town's overview");
    await page.context().close();
  });
});
