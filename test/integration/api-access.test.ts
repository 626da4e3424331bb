import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeCredential } from '../../cloud/broker/credentials.ts';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { apiFetch, startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';

const fleet = generateFleet({ seed: 61, devices: 10, devicesPerGateway: 10 });
const lamp = fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
const gateway = fleet.gateways[0]?.id as string;
let influxd: LocalInfluxd;
let cloud: TestCloud;
const tokens: Record<'viewer' | 'operator', string> = { viewer: '', operator: '' };

async function call(path: string, token: string | undefined, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set('content-type', 'application/json');
  headers.set('authorization', token === undefined ? '' : `Bearer ${token}`);
  const res = await fetch(`${cloud.apiUrl}${path}`, { ...init, headers });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    headers: res.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

beforeAll(async () => {
  influxd = await startTestInfluxd();
  cloud = await startTestCloud(influxd.url, fleet, { CORS_ORIGINS: 'https://dashboard.city.example' });
  for (const role of ['viewer', 'operator'] as const) {
    const res = await apiFetch(`${cloud.apiUrl}/api/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: `${role} user`, role }),
    });
    expect(res.status).toBe(201);
    tokens[role] = ((await res.json()) as { token: string }).token;
  }
});

afterAll(async () => {
  await cloud?.stop();
  await influxd?.stop();
});

describe('REST API access', () => {
  it('refuses requests without a valid token with 401 problem+json', async () => {
    for (const token of [undefined, 'not-a-token']) {
      const res = await call('/api/v1/devices', token);
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    expect((await call('/metrics', undefined)).status).toBe(401);
    expect((await call('/health', undefined)).status).toBe(200);
  });

  it('lets a viewer read but not command, configure or manage tokens', async () => {
    expect((await call('/api/v1/devices', tokens.viewer)).status).toBe(200);
    const command = await call(`/api/v1/devices/${lamp}/commands`, tokens.viewer, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'switch', on: true } }),
    });
    expect(command.status).toBe(403);
    expect(command.body.detail).toContain('operator');
    const config = await call(`/api/v1/gateways/${gateway}/config`, tokens.viewer, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 60 }),
    });
    expect(config.status).toBe(403);
    expect((await call('/api/v1/tokens', tokens.viewer)).status).toBe(403);
  });

  it('lets an operator command and configure, and records each write in the audit log', async () => {
    const command = await call(`/api/v1/devices/${lamp}/commands`, tokens.operator, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 40 } }),
    });
    expect(command.status).toBe(202);
    const config = await call(`/api/v1/gateways/${gateway}/config`, tokens.operator, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 30 }),
    });
    expect(config.status).toBe(200);
    await call(`/api/v1/gateways/${gateway}/config`, tokens.operator, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 45 }),
    });
    expect((await call('/api/v1/tokens', tokens.operator)).status).toBe(403);
    const audit = await call('/api/v1/audit', undefined, { headers: { authorization: '' } });
    expect(audit.status).toBe(401);
    const { body } = await call('/api/v1/audit?limit=100', 'test-admin-token-0123456789abcdef');
    const entries = body.items as {
      actor: string;
      action: string;
      target: string;
      before: unknown;
      after: unknown;
    }[];
    expect(entries.find((e) => e.action === 'command.create')).toMatchObject({
      actor: 'operator user',
      target: lamp,
    });
    const configs = entries.filter((e) => e.action === 'gateway.config');
    expect(configs[0]).toMatchObject({
      actor: 'operator user',
      before: { reportingIntervalS: 30, version: 1 },
      after: { reportingIntervalS: 45, version: 2 },
    });
    expect(entries.filter((e) => e.action === 'token.create').map((e) => e.actor)).toEqual([
      'bootstrap-admin',
      'bootstrap-admin',
    ]);
  });

  it('never shows a token again and stops accepting a revoked one', async () => {
    const admin = 'test-admin-token-0123456789abcdef';
    const list = await call('/api/v1/tokens', admin);
    expect(JSON.stringify(list.body)).not.toContain(tokens.viewer);
    const viewer = (list.body.items as { id: string; name: string }[]).find((t) => t.name === 'viewer user');
    expect((await call(`/api/v1/tokens/${viewer?.id}`, admin, { method: 'DELETE' })).status).toBe(204);
    expect((await call('/api/v1/devices', tokens.viewer)).status).toBe(401);
  });

  it('sends security headers and answers CORS only for allowed origins', async () => {
    const allowed = await call('/api/v1/devices', tokens.operator, {
      headers: { origin: 'https://dashboard.city.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://dashboard.city.example');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    const other = await call('/api/v1/devices', tokens.operator, {
      headers: { origin: 'https://evil.example' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limiting', () => {
  it('answers 429 problem+json past the limit', async () => {
    const limited = await startTestCloud(influxd.url, fleet, { API_REQUESTS_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 7; i++) statuses.push((await apiFetch(`${limited.apiUrl}/api/v1/devices`)).status);
      expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const res = await apiFetch(`${limited.apiUrl}/api/v1/devices`);
      expect(res.status).toBe(429);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    } finally {
      await limited.stop();
    }
  });
});

describe('gateway credentials', () => {
  it('refuses a revoked credential and the old secret after a rotation', async () => {
    const secret = await cloud.provision(gateway);
    const connect = (password: string) =>
      connectAsync(cloud.mqttUrl, { clientId: gateway, username: gateway, password, reconnectPeriod: 0 });
    const client = await connect(secret);
    await client.endAsync();
    const rotated = await cloud.provision(gateway);
    await expect(connect(secret)).rejects.toThrow(/Bad username or password/i);
    (await connect(rotated)).end(true);
    await revokeCredential(`${cloud.dataDir}/gateway-credentials.json`, gateway);
    await expect(connect(rotated)).rejects.toThrow(/Bad username or password/i);
  });
});
