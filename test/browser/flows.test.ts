import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson } from '../helpers/cloud.ts';
import { waitFor } from '../helpers/wait.ts';
import { type ConsoleHarness, expectAccessible, startConsoleHarness } from './harness.ts';
import type { PageGlobals } from './page-globals.ts';

/**
 * An operator's work in the console, in headless Chromium against a real cloud whose city reports
 * over MQTT: an alert appears live after a fault and is acknowledged (audited under the user's
 * name), a lamp is dimmed and its command followed to the end, a rule is edited with a mistake and
 * then fixed.
 */
const en = JSON.parse(
  readFileSync(new URL('../../console/src/i18n/en.json', import.meta.url), 'utf8'),
) as Record<string, string>;

let h: ConsoleHarness;
let page: Page;

beforeAll(async () => {
  h = await startConsoleHarness({ devices: 40 });
  await h.gateways.report();
  page = await h.newPage('en');
  await h.signIn(page);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

async function shows(locator: Locator, text: string) {
  await expect.poll(() => locator.first().textContent(), { timeout: 15_000 }).toContain(text);
}

/** The number of firing alerts the page title shows (`(3) City sensor console`), 0 without one. */
const firingInTitle = async () => Number(/^\((\d+)\)/.exec(await page.title())?.[1] ?? 0);

describe('an alert', () => {
  it('appears in the inbox without a reload after a fault, counted in the title, and is acknowledged', async () => {
    const bin = h.fleet.devices.find((d) => d.kind === 'wasteBin')?.id as string;
    await page.getByRole('link', { name: en['nav.alerts'] }).click();
    await page.locator('[data-testid=alerts-table]').waitFor();
    const { body: firing } = await getJson<{ total: number }>(
      `${h.cloud.apiUrl}/api/v1/alerts?state=firing&limit=1`,
    );
    const before = firing.total;
    await expect.poll(firingInTitle, { timeout: 15_000 }).toBe(before);
    // A page-wide marker that a reload would lose.
    await page.evaluate(() => {
      (globalThis as unknown as { stayed: boolean }).stayed = true;
    });
    const row = page.locator('[data-testid=alerts-table] tbody tr', { hasText: bin }).filter({
      hasText: 'Bin fire risk',
    });
    expect(await row.count()).toBe(0);

    await h.gateways.send(bin, { temperature: 75 });
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(firingInTitle, { timeout: 15_000 }).toBe(before + 1);
    expect(await page.evaluate(() => (globalThis as unknown as { stayed?: boolean }).stayed)).toBe(true);

    await row.getByRole('link', { name: 'Bin fire risk' }).click();
    const detail = page.getByTestId('alert-detail');
    await detail.getByRole('button', { name: en['alerts.action.acknowledge'] }).click();
    await shows(detail.locator('.history'), `${h.user.username} · ${en['history.acknowledged']}`);
    await expect.poll(firingInTitle, { timeout: 15_000 }).toBe(before);
    const alertId = new URL(page.url()).pathname.split('/').at(-1) as string;
    const { body: audit } = await getJson<{ items: { actor: string; action: string; target: string }[] }>(
      `${h.cloud.apiUrl}/api/v1/audit?limit=50`,
    );
    expect(audit.items.find((e) => e.target.includes(alertId))).toMatchObject({
      actor: h.user.username,
      action: expect.stringMatching(/acknowledge/),
    });
  });
});

describe('a lamp', () => {
  it('is dimmed from its page: the command is followed to succeeded and the reading changes', async () => {
    const lamp = h.fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
    await page.goto(`/devices/${lamp}`);
    const latest = page.getByTestId('latest-values');
    const dimming = latest.locator('div', { hasText: en['metric.dimmingLevel'] }).locator('dd');
    await shows(dimming, '40');
    const form = page.getByRole('form', { name: en['command.setDimming'] });
    await form.getByLabel(en['param.level'] as string).fill('25');
    await form.getByRole('button').click();
    const log = page.getByTestId('command-log');
    // Followed through the live command events: pending, sent, delivered, then the gateway's result.
    await shows(log.locator('li').first(), `${en['command.setDimming']} · ${en['commandStatus.succeeded']}`);
    // The lamp's new reading, once stored, is what the page shows.
    await waitFor('the dimmed reading stored', async () => {
      const { body } = await getJson<{ latest: { dimmingLevel?: number } }>(
        `${h.cloud.apiUrl}/api/v1/devices/${lamp}`,
      );
      return body.latest.dimmingLevel === 25;
    });
    await page.reload();
    await shows(dimming, '25');
    expect(await dimming.first().textContent()).not.toContain('40');
  });
});

describe('a rule', () => {
  it('shows a mistake at the field it concerns, then saves once fixed', async () => {
    await page.goto('/rules/bin-full');
    await expect
      .poll(() => page.locator('#rule-condition-value').inputValue(), { timeout: 15_000 })
      .toBe('80');
    await page.locator('#rule-condition-type').selectOption('json');
    const condition = page.locator('#rule-condition');
    await expect.poll(() => condition.inputValue(), { timeout: 15_000 }).toContain('fillingLevel');
    const rule = (value: number, op: string) =>
      JSON.stringify({ type: 'threshold', metric: 'fillingLevel', op, value }, null, 2);
    await condition.fill(rule(85, 'above'));
    await page.getByRole('button', { name: en['common.save'] }).click();
    const error = page.locator('#rule-condition-error');
    await shows(error, 'op');
    await expect.poll(() => condition.getAttribute('aria-invalid')).toBe('true');
    // The first invalid field has the focus.
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id))
      .toBe('rule-condition');
    const { body: unchanged } = await getJson<{ condition: { value: number } }>(
      `${h.cloud.apiUrl}/api/v1/rules/bin-full`,
    );
    expect(unchanged.condition.value).toBe(80);

    await condition.fill(rule(85, '>'));
    await page.getByRole('button', { name: en['common.save'] }).click();
    await shows(page.getByRole('status'), en['rules.saved'] as string);
    expect(await error.count()).toBe(0);
    const { body: saved } = await getJson<{ condition: { value: number; op: string } }>(
      `${h.cloud.apiUrl}/api/v1/rules/bin-full`,
    );
    expect(saved.condition).toMatchObject({ op: '>', value: 85 });
  });
});

describe('an open dataset', () => {
  it('is defined, previewed and published from the Open data page, its public link answers, and it is deleted', async () => {
    await page.getByRole('link', { name: en['nav.openData'] }).click();
    await page.getByRole('button', { name: en['openData.add'] }).click();
    await page.getByLabel(en['openData.id'] as string).fill('lamp-power');
    await page.getByLabel(en['openData.titleCs'] as string).fill('Příkon osvětlení');
    await page.getByLabel(en['openData.titleEn'] as string).fill('Street lighting power');
    await page.getByLabel(en['openData.descriptionCs'] as string).fill('Průměrný příkon po čtvrtích.');
    await page.getByLabel(en['openData.descriptionEn'] as string).fill('Mean power by district.');
    await page.getByLabel(en['common.kind'] as string).selectOption('streetlight');
    await page.getByLabel(en['openData.metric'] as string).selectOption('activePower');
    await page.getByLabel(en['openData.keywordsCs'] as string).fill('osvětlení, energie');
    await expectAccessible(page, 'open-data form');
    await page.getByRole('button', { name: en['openData.addSubmit'] }).click();
    // Not published yet: a mistake-free draft, listed, its public link refused.
    const row = page.locator('[data-testid=datasets-table] tbody tr', { hasText: 'lamp-power' });
    await shows(row, en['common.no'] as string);
    const csv = `${h.cloud.apiUrl}/open/default/datasets/lamp-power/data.csv`;
    expect((await fetch(csv)).status).toBe(404);

    await row.getByRole('button', { name: `${en['openData.preview']} lamp-power` }).click();
    await page.getByTestId('dataset-preview').waitFor();
    await row.getByRole('button', { name: `${en['openData.edit']} lamp-power` }).click();
    await page.getByLabel(en['openData.publishedLabel'] as string).check();
    await page.getByRole('button', { name: en['common.save'], exact: true }).click();
    await shows(row, en['common.yes'] as string);
    await expect.poll(async () => (await fetch(csv)).status).toBe(200);
    expect(await row.getByRole('link', { name: csv }).count()).toBe(1);
    await expectAccessible(page, 'open-data page');

    // The catalogue's publisher: without an IČO the page says so; a mistyped one is caught.
    const missing = page.getByTestId('catalogue-missing');
    await shows(missing, en['catalogue.gap.publisher.ico'] as string);
    await page.getByLabel(en['catalogue.publisherName'] as string).fill('Statutární město Karlovy Vary');
    await page.getByLabel(en['catalogue.ico'] as string).fill('00254658');
    await page.getByRole('button', { name: en['catalogue.save'] }).click();
    await shows(page.locator('#catalogue-ico-error'), en['catalogue.icoInvalid'] as string);
    await page.getByLabel(en['catalogue.ico'] as string).fill('00254657');
    await page.getByRole('button', { name: en['catalogue.save'] }).click();
    await expect.poll(() => missing.textContent()).not.toContain(en['catalogue.gap.publisher.ico']);
    const catalogue = await getJson<{ poskytovatel?: string }>(`${h.cloud.apiUrl}/open/default/catalog`);
    expect(catalogue.body.poskytovatel).toMatch(/orgán-veřejné-moci\/00254657$/);

    await row.getByRole('button', { name: `${en['openData.delete']} lamp-power` }).click();
    await page.locator('dialog').getByRole('button', { name: en['openData.delete'] }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await fetch(csv)).status).toBe(404);
    const { body: audit } = await getJson<{ items: { actor: string; action: string; target: string }[] }>(
      `${h.cloud.apiUrl}/api/v1/audit?limit=10`,
    );
    expect(audit.items.filter((e) => e.target === 'lamp-power').map((e) => e.action)).toEqual([
      'dataset.delete',
      'dataset.update',
      'dataset.create',
    ]);
  });
});
