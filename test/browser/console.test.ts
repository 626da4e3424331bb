import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDate, localMidnight } from '../../console/src/components/local-day.ts';
import { getJson } from '../helpers/cloud.ts';
import { waitFor } from '../helpers/wait.ts';
import { type ConsoleHarness, expectAccessible, screenshot, startConsoleHarness } from './harness.ts';
import type { PageGlobals } from './page-globals.ts';
import { createUser } from './users.ts';

/**
 * The operator console in headless Chromium against a real cloud: sign-in, the map with the city's
 * devices, every page in English and Czech, axe-core on each page, and the screenshots of
 * docs/console.md.
 */
const messages = (lang: string) =>
  JSON.parse(readFileSync(new URL(`../../console/src/i18n/${lang}.json`, import.meta.url), 'utf8')) as Record<
    string,
    string
  >;
const en = messages('en');
const cs = messages('cs');

let h: ConsoleHarness;
let lamp: string;
let alertId: string;

beforeAll(async () => {
  h = await startConsoleHarness();
  lamp = h.fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
  const bins = h.fleet.devices.filter((d) => d.kind === 'wasteBin').slice(0, 3);
  // A failed lamp and full bins: an alert to show, and a collection round to draw.
  await h.gateways.report({
    [lamp]: { status: 'defectiveLamp', powerState: 'off' },
    ...Object.fromEntries(bins.map((b) => [b.id, { fillingLevel: 95 }])),
  });
  alertId = await waitFor(
    'the lamp-fault alert',
    async () => {
      const { body } = await getJson<{ items: { id: string; ruleId: string; subject: { id: string } }[] }>(
        `${h.cloud.apiUrl}/api/v1/alerts?state=open&device=${lamp}`,
      );
      return body.items.find((a) => a.ruleId === 'lamp-fault')?.id;
    },
    20_000,
  );
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** Waits until the element's text contains `text`. */
async function shows(locator: Locator, text: string) {
  await expect.poll(() => locator.first().textContent(), { timeout: 15_000 }).toContain(text);
}

/** The h1 of the page shown, once it reads `text`. */
async function heading(page: Page, text: string) {
  await expect.poll(() => page.locator('main h1').first().textContent(), { timeout: 15_000 }).toContain(text);
}

describe('sign-in', () => {
  it('says so when the password is wrong, and signs in with the right one', async () => {
    const page = await h.newPage('en');
    const response = await page.goto('/');
    // Served by the cloud with a CSP that allows MapLibre's blob workers and nothing from elsewhere.
    expect(response?.headers()['content-security-policy']).toMatch(/worker-src 'self' blob:/);
    expect(response?.headers()['content-security-policy']).toMatch(/default-src 'self'/);
    await heading(page, en['signIn.title'] as string);
    await expectAccessible(page, 'sign-in');
    await screenshot(page, 'sign-in');
    await page.locator('#username').fill(h.user.username);
    await page.locator('#password').fill('not the password');
    await page.locator('form button[type=submit]').click();
    await shows(page.getByRole('alert'), en['signIn.wrong'] as string);
    await page.locator('#password').fill(h.user.password);
    await page.locator('form button[type=submit]').click();
    await heading(page, en['overview.title'] as string);
    await page.getByRole('button', { name: en['nav.signOut'] }).click();
    await heading(page, en['signIn.title'] as string);
    await page.context().close();
  });
});

describe('first sign-in', () => {
  it('makes a user an administrator created change the first password, then lets them work', async () => {
    const technician = { username: 'technik', displayName: 'Jana Nováková', role: 'operator' as const };
    await createUser(h.cloud.apiUrl, technician, 'first password from the admin');
    const page = await h.newPage('en');
    await page.goto('/');
    await page.locator('#username').fill(technician.username);
    await page.locator('#password').fill('first password from the admin');
    await page.locator('form button[type=submit]').click();
    await page.locator('header.top nav').waitFor();
    await page.getByRole('link', { name: en['nav.password'] }).click();
    await heading(page, en['password.title'] as string);
    await shows(page.locator('.notice'), en['password.mustChange'] as string);
    await page.locator('#currentPassword').fill('first password from the admin');
    await page.locator('#newPassword').fill('short');
    await page.locator('#repeat').fill('short');
    await page.getByRole('button', { name: en['password.submit'] }).click();
    await shows(page.locator('#newPassword-error'), en['password.length'] as string);
    await page.locator('#newPassword').fill('a password of my own');
    await page.locator('#repeat').fill('a password of my own');
    await page.getByRole('button', { name: en['password.submit'] }).click();
    await shows(page.getByRole('status'), en['password.changed'] as string);
    // The server lets the user's requests through now: the alerts inbox lists the lamp's alert.
    await page.getByRole('link', { name: en['nav.alerts'] }).click();
    await page.locator('[data-testid=alerts-table] tbody tr', { hasText: lamp }).waitFor();
    const { body } = await getJson<{ items: { username: string; mustChangePassword: boolean }[] }>(
      `${h.cloud.apiUrl}/api/v1/users`,
    );
    expect(body.items.find((u) => u.username === technician.username)?.mustChangePassword).toBe(false);
    await page.context().close();
  });
});

describe('the map', () => {
  it('shows the devices, coloured by state, and opens a device from the list', async () => {
    const page = await h.newPage('en');
    await h.signIn(page);
    await page.goto('/map');
    await heading(page, en['map.title'] as string);
    const list = page.getByTestId('map-list');
    await expect.poll(() => list.locator('li').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await page.locator('.map canvas').waitFor();
    // Clustered by the server: the failed lamp's cluster takes its alert's severity (lamp-fault is
    // major); zooming into the worst cluster from the list (the keyboard's way) reaches the lamp.
    const lampItem = list.locator('li', { hasText: lamp });
    const major = en['state.major'] as string;
    for (let depth = 0; depth < 8 && (await lampItem.count()) === 0; depth++) {
      const cluster = list.locator('li', { has: page.locator('.badge', { hasText: major }) }).first();
      const before = await list.textContent();
      await cluster.getByRole('button').click();
      await expect.poll(() => list.textContent(), { timeout: 15_000 }).not.toBe(before);
    }
    await shows(lampItem.locator('.badge'), major);
    const { body: round } = await getJson<{ stops: unknown[] }>(`${h.cloud.apiUrl}/api/v1/waste/collection`);
    expect(round.stops.length).toBeGreaterThanOrEqual(3);
    await shows(
      page.getByTestId('round'),
      (en['map.round'] as string).replace(/\{stops\}.*/, `${round.stops.length} `),
    );
    await lampItem.getByRole('button', { name: lamp }).click();
    await shows(page.getByTestId('device-panel'), en['metric.status'] as string);
    await expectAccessible(page, 'map');
    await screenshot(page, 'map');
    await page.context().close();
  });
});

describe('the coverage layer on the map', () => {
  /** How many of the layer's hexagons MapLibre drew (the container holds the map, see city-map.ts). */
  const drawnCells = (page: Page) =>
    page.evaluate(() => {
      const { document } = globalThis as unknown as PageGlobals;
      const map = document.querySelector('.map')?.cityMap;
      return map?.queryRenderedFeatures({ layers: ['coverage-fill'] }).length ?? 0;
    });

  /** The hour of the city's day (from its midnight, in its time zone) the gap's readings were sent in. */
  let sentHour = 0;

  beforeAll(async () => {
    // The cameras report their link (the fixture's is fair); two of them now from a gap.
    const cameras = h.fleet.devices.filter((d) => d.kind === 'camera').slice(0, 2);
    expect(cameras.length).toBe(2);
    for (const camera of cameras) await h.gateways.send(camera.id, { rsrp: -121, sinr: -4 });
    const timeZone = h.fleet.city.timezone;
    const now = Date.now();
    sentHour = Math.floor((now - localMidnight(localDate(new Date(now), timeZone), timeZone)) / 3_600_000);
    // The cameras' part of the layer reads the hourly rollups: computed now, not at the next round.
    await h.cloud.cloud.flush();
  });

  it.each([
    ['en', en],
    ['cs', cs],
  ] as const)(
    'draws hexagons coloured by class with a legend (%s)',
    async (lang, m) => {
      const page = await h.newPage(lang);
      await h.signIn(page);
      await page.goto('/map');
      await heading(page, m['map.title'] as string);
      await page.locator('.map canvas').waitFor();
      const toggle = page.getByRole('checkbox', { name: m['coverage.show'] as string });
      await toggle.check();
      const legend = page.getByTestId('coverage-legend');
      for (const c of ['good', 'fair', 'poor', 'none'])
        await shows(legend, (m[`coverage.class.${c}`] as string).split(':')[0] as string);
      // The summary counts the cells drawn; the cameras' gap is among them.
      const summary = page.getByTestId('coverage-summary');
      await expect.poll(() => summary.textContent()).toMatch(/[1-9]/);
      expect(await summary.textContent()).not.toBe(m['coverage.empty']);
      await expect.poll(() => drawnCells(page)).toBeGreaterThan(0);
      await expectAccessible(page, `map with coverage (${lang})`);
      if (lang === 'cs') return page.context().close();
      // One hour of the day, the hour of the gap's readings: the picker asks again, by the hour.
      const hourly = page.waitForResponse(
        (r) => r.url().includes('/api/v1/coverage?') && r.url().includes('granularity=hour'),
      );
      await page.getByLabel(m['coverage.hour'] as string).selectOption(String(sentHour));
      expect((await hourly).status()).toBe(200);
      await expect.poll(() => summary.textContent()).not.toBe(m['coverage.empty']);
      await expect.poll(() => drawnCells(page)).toBeGreaterThan(0);
      await screenshot(page, 'map-coverage');
      // Off again: nothing drawn, no legend (the Czech page stops before: its words are what it checks).
      await toggle.uncheck();
      await expect.poll(() => drawnCells(page)).toBe(0);
      expect(await legend.count()).toBe(0);
      await page.context().close();
      // A page with MapLibre drawing in software and axe on it: minutes on a loaded CI machine.
    },
    120_000,
  );
});

const pages = (ids: { lamp: string; alert: string }) => [
  { name: 'overview', path: '/', title: 'overview.title' },
  { name: 'alerts', path: '/alerts', title: 'alerts.title', ready: '[data-testid=alerts-table] tbody tr' },
  {
    name: 'alert',
    path: `/alerts/${ids.alert}`,
    title: 'alerts.title',
    ready: '[data-testid=alert-detail] .history li',
  },
  {
    name: 'device',
    path: `/devices/${ids.lamp}`,
    title: 'device.title',
    ready: '[data-testid=latest-values] dt',
  },
  { name: 'rules', path: '/rules', title: 'rules.title', ready: '[data-testid=rules-table] tbody tr' },
  {
    name: 'rule-edit',
    path: '/rules/lamp-fault',
    title: 'rules.editTitle',
    ready: '#rule-condition',
    value: 'lampFault',
  },
  {
    name: 'gateways',
    path: '/gateways',
    title: 'gateways.title',
    ready: '[data-testid=gateways-table] tbody tr',
  },
  { name: 'users', path: '/users', title: 'users.title', ready: '[data-testid=users-table] tbody tr' },
  { name: 'open-data', path: '/open-data', title: 'openData.title', ready: '[data-testid=datasets-table]' },
  { name: 'password', path: '/password', title: 'password.title' },
];

describe.each([
  { lang: 'en' as const, words: en },
  { lang: 'cs' as const, words: cs },
])('every page in $lang', ({ lang, words }) => {
  let page: Page;
  beforeAll(async () => {
    page = await h.newPage(lang);
    await h.signIn(page);
  });
  afterAll(async () => {
    await page.context().close();
  });

  it.each(pages({ lamp: 'LAMP', alert: 'ALERT' }).map((p) => [p.name, p] as const))(
    '%s',
    async (_name, p) => {
      const path = p.path.replace('LAMP', lamp).replace('ALERT', alertId);
      await page.goto(path);
      // The page sets its language once its script has run: wait for it, do not read it at once.
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe(lang);
      const title = (words[p.title] as string).replace(/\{\w+\}.*$/, '');
      await heading(page, title);
      if (p.ready) await page.locator(p.ready).first().waitFor({ timeout: 15_000 });
      if (p.value) await expect.poll(() => page.locator(p.ready as string).inputValue()).toContain(p.value);
      await shows(page.locator('header.top nav'), words['nav.alerts'] as string);
      if (lang === 'en') {
        await expectAccessible(page, p.name);
        await screenshot(page, p.name);
      }
    },
  );
});

describe('language', () => {
  it('is switched on the page and remembered, from English to Czech and back', async () => {
    const page = await h.newPage('en');
    await h.signIn(page);
    await page.getByLabel(en['nav.language'] as string).selectOption('cs');
    await heading(page, cs['overview.title'] as string);
    await shows(page.locator('header.top nav'), cs['nav.alerts'] as string);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('cs');
    await page.reload();
    await heading(page, cs['overview.title'] as string);
    await screenshot(page, 'overview-cs');
    await page.getByLabel(cs['nav.language'] as string).selectOption('en');
    await heading(page, en['overview.title'] as string);
    await shows(page.locator('header.top nav'), en['nav.alerts'] as string);
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await page.context().close();
  });
});
