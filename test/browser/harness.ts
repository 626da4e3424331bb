import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { launchChromium } from './chromium.ts';
import { connectGateways, type TestGateways } from './city.ts';
import { createUser, firstSignIn } from './users.ts';

/**
 * The browser tests' harness: a real test cloud serving the built console, a small city whose
 * gateways report over MQTT, one headless Chromium (Debian's, never a downloaded one) and a
 * signed-in admin. One harness per test file; pages are cheap (a new context each).
 */
export interface ConsoleHarness {
  influxd: LocalInfluxd;
  cloud: TestCloud;
  fleet: FleetFile;
  gateways: TestGateways;
  browser: Browser;
  /** The console's address (the cloud's HTTP port). */
  baseUrl: string;
  /** An admin who has been through the first sign-in (password changed): ready to use. */
  user: { username: string; password: string };
  /** A fresh browser context in `lang` (its navigator.languages), not signed in. */
  newPage(lang?: 'en' | 'cs'): Promise<Page>;
  /** Signs `page` in through the sign-in form, and waits for the overview. */
  signIn(page: Page): Promise<void>;
  stop(): Promise<void>;
}

export async function startConsoleHarness(
  options: { devices?: number; env?: Record<string, string> } = {},
): Promise<ConsoleHarness> {
  // Chromium starts while the cloud does (each takes seconds on a loaded machine); a failed launch
  // fails the harness where the browser is awaited.
  const launching = launchChromium();
  launching.catch(() => undefined);
  const fleet = generateFleet({ seed: 12, devices: options.devices ?? 80, devicesPerGateway: 20 });
  const influxd = await startTestInfluxd();
  const cloud = await startTestCloud(influxd.url, fleet, { RULES_TICK_S: '1', ...options.env });
  const gateways = await connectGateways(fleet, cloud.mqttUrl, cloud.provision);
  // Created by an admin over the API, so it must change its first password (server-enforced);
  // done here over HTTP as the console does it. The browser's first sign-in has a test of its own.
  const user = { username: 'test-admin', password: 'correct horse battery staple' };
  const first = 'first password of the test admin';
  await createUser(
    cloud.apiUrl,
    { username: user.username, displayName: 'Test Admin', role: 'admin' },
    first,
  );
  await firstSignIn(cloud.apiUrl, user.username, first, user.password);
  const browser = await launching;
  const harness: ConsoleHarness = {
    influxd,
    cloud,
    fleet,
    gateways,
    browser,
    baseUrl: cloud.apiUrl,
    user,
    newPage: (lang = 'en') => openConsolePage(browser, cloud.apiUrl, lang),
    signIn: (page) => signInAs(page, user),
    async stop() {
      await browser.close();
      await gateways.close();
      await cloud.stop();
      await influxd.stop();
    },
  };
  return harness;
}

/** A fresh browser context on the console at `baseUrl`, in `lang` (its navigator.languages), not signed in. */
export async function openConsolePage(browser: Browser, baseUrl: string, lang: 'en' | 'cs' = 'en') {
  const context = await browser.newContext({
    locale: lang === 'cs' ? 'cs-CZ' : 'en-GB',
    viewport: { width: 1280, height: 860 },
    baseURL: baseUrl,
  });
  const page = await context.newPage();
  // The page's own errors, in the test's output: the first thing to read when a test fails.
  page.on('pageerror', (error) => console.error(`[browser] ${error.message}`));
  page.on('console', (m) => m.type() === 'error' && console.error(`[browser console] ${m.text()}`));
  return page;
}

/** Signs `page` in through the sign-in form (at `path`), and waits for the menu. */
export async function signInAs(page: Page, user: { username: string; password: string }, path = '/') {
  await page.goto(path);
  await page.locator('#username').fill(user.username);
  await page.locator('#password').fill(user.password);
  await page.locator('form button[type=submit]').click();
  await page.locator('header.top nav').waitFor();
}

/** axe-core on the page as it is: no serious or critical violation of WCAG 2.1 A/AA. */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, `axe on ${what}`).toEqual([]);
}

/** docs/console/, where UPDATE_SCREENSHOTS=1 writes the screenshots. */
const screenshots = new URL('../../docs/console/', import.meta.url).pathname;

/**
 * A screenshot for docs/console.md, taken by the test that checks the page, with UPDATE_SCREENSHOTS=1
 * only: no test reads them, and a test run leaves the tree clean (they cost seconds of CI a run).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: false });
}
