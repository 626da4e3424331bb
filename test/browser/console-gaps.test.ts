import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayTopic } from '../../shared/topics.ts';
import { apiFetch, getJson } from '../helpers/cloud.ts';
import { waitFor } from '../helpers/wait.ts';
import { type ConsoleHarness, expectAccessible, startConsoleHarness } from './harness.ts';

/**
 * The console's first sign-in, password reset dialog, device events and client-side rule
 * validation, in headless Chromium against a real cloud.
 */
const en = JSON.parse(
  readFileSync(new URL('../../console/src/i18n/en.json', import.meta.url), 'utf8'),
) as Record<string, string>;

let h: ConsoleHarness;
let page: Page;

async function shows(locator: Locator, text: string) {
  await expect.poll(() => locator.first().textContent(), { timeout: 15_000 }).toContain(text);
}

/** What the page's focused element is (evaluated in the browser). */
interface Focused {
  document: { activeElement: { id: string; textContent: string | null } | null };
}
const focusedId = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Focused).document.activeElement?.id);
const focusedText = (p: Page) =>
  p.evaluate(() => (globalThis as unknown as Focused).document.activeElement?.textContent);

async function createUser(username: string, password: string, role = 'operator') {
  const res = await apiFetch(`${h.cloud.apiUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, role, password }),
  });
  expect(res.status).toBe(201);
}

beforeAll(async () => {
  h = await startConsoleHarness({ devices: 40 });
  await h.gateways.report();
  page = await h.newPage('en');
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

describe('first sign-in', () => {
  it('asks a user an administrator created for a password of their own, says why, then continues', async () => {
    await createUser('technik', 'first password from the admin');
    const first = await h.newPage('en');
    await first.goto('/gateways');
    await first.locator('#username').fill('technik');
    await first.locator('#password').fill('first password from the admin');
    await first.locator('form button[type=submit]').click();
    await shows(first.locator('main h1'), en['password.title'] as string);
    await shows(first.locator('.notice'), en['password.mustChange'] as string);
    await expectAccessible(first, 'the first password change');
    await first.locator('#currentPassword').fill('first password from the admin');
    await first.locator('#newPassword').fill('a password of my own');
    await first.locator('#repeat').fill('a password of my own');
    await first.getByRole('button', { name: en['password.submit'] }).click();
    // The page asked for, with a note that the password is changed.
    await shows(first.getByRole('status'), en['password.changed'] as string);
    await shows(first.locator('main h1'), en['gateways.title'] as string);
    const { body } = await getJson<{ items: { username: string; mustChangePassword: boolean }[] }>(
      `${h.cloud.apiUrl}/api/v1/users`,
    );
    expect(body.items.find((u) => u.username === 'technik')?.mustChangePassword).toBe(false);
    await first.context().close();
  });

  it('signs in an admin of these tests the same way', async () => {
    await createUser('gaps-admin', 'first password of the admin', 'admin');
    await page.goto('/');
    await page.locator('#username').fill('gaps-admin');
    await page.locator('#password').fill('first password of the admin');
    await page.locator('form button[type=submit]').click();
    await page.locator('#currentPassword').fill('first password of the admin');
    await page.locator('#newPassword').fill('the admin of the gaps tests');
    await page.locator('#repeat').fill('the admin of the gaps tests');
    await page.getByRole('button', { name: en['password.submit'] }).click();
    await shows(page.getByRole('status'), en['password.changed'] as string);
  });
});

describe('resetting a password', () => {
  it('asks for the new password in a modal dialog, with its error at the field', async () => {
    await createUser('dispecer', 'dispatcher first password');
    await page.goto('/users');
    const open = page.getByRole('button', { name: `${en['users.reset']} dispecer` });
    await open.click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await expect.poll(() => focusedId(page)).toBe('reset-password');
    await expectAccessible(page, 'the reset dialog');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => focusedText(page)).toContain(en['users.reset']);

    await open.click();
    await page.locator('#reset-password').fill('short');
    await dialog.getByRole('button', { name: en['users.resetSubmit'] }).click();
    await shows(page.locator('#reset-password-error'), en['password.length'] as string);
    await page.locator('#reset-password').fill('a new password for dispecer');
    await dialog.getByRole('button', { name: en['users.resetSubmit'] }).click();
    await dialog.waitFor({ state: 'hidden' });
    await shows(page.getByRole('status'), 'dispecer');
    const signIn = await fetch(`${h.cloud.apiUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dispecer', password: 'a new password for dispecer' }),
    });
    expect(((await signIn.json()) as { user: { mustChangePassword: boolean } }).user.mustChangePassword).toBe(
      true,
    );
  });
});

describe('the device page', () => {
  it("lists the device's events in the page's language", async () => {
    const lamp = h.fleet.devices.find((d) => d.kind === 'streetlight') as { id: string; gatewayId: string };
    // A second connection of the lamp's gateway (it takes over the harness's for this gateway).
    const client = await connectAsync(h.cloud.mqttUrl, {
      clientId: lamp.gatewayId,
      username: lamp.gatewayId,
      password: await h.cloud.provision(lamp.gatewayId),
      reconnectPeriod: 0,
    });
    const ts = new Date().toISOString();
    await client.publishAsync(
      gatewayTopic(lamp.gatewayId, 'events'),
      JSON.stringify({
        v: 1,
        gatewayId: lamp.gatewayId,
        sentAt: ts,
        batchId: 'gaps-e1',
        events: [
          {
            deviceId: lamp.id,
            kind: 'streetlight',
            type: 'switchedOn',
            ts,
            values: { switchedBy: 'operator' },
          },
        ],
      }),
      { qos: 1 },
    );
    await client.endAsync();
    await waitFor('the event stored', async () => {
      await h.cloud.cloud.flush();
      const { body } = await getJson<{ items: unknown[] }>(
        `${h.cloud.apiUrl}/api/v1/devices/${lamp.id}/events`,
      );
      return body.items.length === 1;
    });
    await page.goto(`/devices/${lamp.id}`);
    // The row of this event: the harness's gateway, taken over above, reconnects and may report
    // events of its own lamps meanwhile (newer rows above this one).
    const row = page
      .locator('[data-testid=device-events] tbody tr')
      .filter({ hasText: en['event.switchedOn'] as string });
    await shows(row, en['event.switchedOn'] as string);
    await shows(row, `${en['eventValue.switchedBy']}: ${en['value.operator']}`);
    await expectAccessible(page, 'the device page with events');
  });
});

describe('the rule form', () => {
  it('shows a mistake at its field before sending anything, then saves once fixed', async () => {
    await page.goto('/rules/bin-full');
    const value = page.locator('#rule-condition-value');
    await expect.poll(() => value.inputValue(), { timeout: 15_000 }).not.toBe('');
    const before = (await getJson<{ condition: unknown }>(`${h.cloud.apiUrl}/api/v1/rules/bin-full`)).body;
    await value.fill('');
    await page.locator('#rule-for').fill('ten minutes');
    let requests = 0;
    page.on('request', (r) => {
      if (r.url().includes('/api/v1/rules/bin-full') && r.method() === 'PUT') requests++;
    });
    await page.getByRole('button', { name: en['common.save'] }).click();
    await page.locator('#rule-condition-value-error').waitFor();
    await page.locator('#rule-for-error').waitFor();
    expect(await value.getAttribute('aria-invalid')).toBe('true');
    // The first invalid field in the page's order has the focus.
    await expect.poll(() => focusedId(page)).toBe('rule-for');
    expect(requests).toBe(0);
    await expectAccessible(page, 'the rule form with errors');

    await value.fill('85');
    await page.locator('#rule-for').fill('');
    await page.getByRole('button', { name: en['common.save'] }).click();
    await shows(page.getByRole('status'), en['rules.saved'] as string);
    expect(requests).toBe(1);
    const { body } = await getJson<{ condition: { value: number } }>(
      `${h.cloud.apiUrl}/api/v1/rules/bin-full`,
    );
    expect(body.condition).toEqual({ ...(before.condition as object), value: 85 });
  });
});
