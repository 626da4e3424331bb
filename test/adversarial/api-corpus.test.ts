import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalInfluxd } from '../../cloud/storage/local-influxd.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { startTestCloud, type TestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { type ApiRequest, api, authEnv, expectAnswered, probeApi, segment } from './http.ts';
import { deepArrays, megabyte, nastyBodies, nastyStrings } from './nasty-corpus.ts';

const fleet = generateFleet({ seed: 11, devices: 12, devicesPerGateway: 6 });
const lamp = fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
const gateway = fleet.gateways[0]?.id as string;

let influxd: LocalInfluxd;
let city: TestCloud;

beforeAll(async () => {
  influxd = await startTestInfluxd();
  city = await startTestCloud(influxd.url, fleet, { ...authEnv, API_REQUESTS_PER_MINUTE: '100000' });
});

afterAll(async () => {
  await city?.stop();
  await influxd?.stop();
});

const expectAllAnswered = (requests: ApiRequest[]) => expectAnswered(city.apiUrl, requests);
const probe = (path: string, init?: ApiRequest[1]) => probeApi(city.apiUrl, path, init);

const json = (body: string, method = 'POST'): RequestInit => ({
  method,
  body,
  headers: { 'content-type': 'application/json' },
});

describe('nasty query strings', () => {
  it('GET /api/v1/devices: every nasty value in every parameter is refused or answered, never a 5xx', async () => {
    const params = ['kind', 'gateway', 'district', 'status', 'q', 'sort', 'limit', 'offset', 'foo'];
    const requests: [string, { allow2xx: boolean }][] = [];
    for (const param of params) {
      for (const s of nastyStrings.filter((s) => s.length < 4_000)) {
        requests.push([`/api/v1/devices?${param}=${segment(s)}`, { allow2xx: true }]);
      }
    }
    await expectAllAnswered(requests);
  });

  it('GET /api/v1/devices: repeated parameters, arrays, numbers out of range and broken escapes are 4xx', async () => {
    const raw = [
      'limit=1&limit=2',
      'kind=camera&kind=streetlight',
      'kind[]=camera',
      'kind[0]=camera',
      'q[$ne]=x',
      '__proto__[polluted]=1',
      '__proto__=1',
      'constructor=x',
      'limit=1e309',
      'limit=NaN',
      'limit=Infinity',
      'limit=-0',
      'limit=0x10&offset=-1',
      'offset=99999999999999999999',
      'offset=1e300',
      'offset=9007199254740993',
      'limit=1001',
      'q=',
      'sort=id;DROP',
      `q=${'x'.repeat(8_000)}`,
      '&&&=&',
    ];
    // Free text that is odd but harmless: searched for literally.
    const answered = ['q=%', 'q=%ZZ', 'q=%ED%A0%80', 'q=%00', 'q=%25%5F%5C', 'offset=-0', 'offset=1e3'];
    await expectAllAnswered([
      ...raw.map((r): [string] => [`/api/v1/devices?${r}`]),
      ...answered.map((r): [string, { allow2xx: true }] => [`/api/v1/devices?${r}`, { allow2xx: true }]),
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('other GET endpoints with nasty parameters answer below 500', async () => {
    const paths = [
      '/api/v1/series?kind=streetlight&metric=activePower',
      '/api/v1/summary?',
      '/api/v1/map?',
      '/api/v1/waste/collection?',
      '/api/v1/commands?',
      '/api/v1/dead-letters?',
    ];
    const params = [
      'district',
      'threshold',
      'binThreshold',
      'depot',
      'status',
      'device',
      'gateway',
      'reason',
      'limit',
    ];
    const requests: [string, { allow2xx: boolean }][] = [];
    for (const path of paths) {
      for (const param of params) {
        for (const s of [
          '',
          '%',
          "'",
          '"',
          '\\',
          '1e309',
          '-1',
          'NaN',
          '91,181',
          '__proto__',
          'a\nb',
          '\ud800',
        ]) {
          if (knownBugs.district.some((bug) => bug.startsWith(path)) && param === 'district' && s === 'a\nb')
            continue;
          requests.push([`${path}&${param}=${segment(s)}`, { allow2xx: true }]);
        }
      }
    }
    await expectAllAnswered(requests);
  });
});

describe('nasty paths and series queries', () => {
  it('GET /api/v1/devices/<nasty id>[/series] is a 404 (or 400), never a 5xx', async () => {
    const requests: [string][] = [];
    for (const s of nastyStrings.filter((s) => s.length > 0 && s.length < 4_000)) {
      requests.push(
        [`/api/v1/devices/${segment(s)}`],
        [`/api/v1/devices/${segment(s)}/series?metric=activePower`],
      );
    }
    for (const raw of [
      '%',
      '%E0%A4%A',
      '%ED%A0%80',
      '%00',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e',
      'x%2Fy%23z%2Bw',
    ]) {
      requests.push([`/api/v1/devices/${raw}/series?metric=activePower`], [`/api/v1/gateways/${raw}/config`]);
    }
    await expectAllAnswered(requests);
  });

  it('series of a real device with nasty metric, function, bounds and bucket size', async () => {
    const queries = [
      'metric=',
      'metric=powerState',
      'metric=status',
      `metric=${segment('activePower" FROM x; DROP DATABASE y --')}`,
      `metric=${segment("activePower') OR 1=1")}`,
      'metric=activePower&fn=median',
      'metric=activePower&fn=MEAN',
      'metric=activePower&from=0000-01-01T00:00:00Z',
      'metric=activePower&from=1970-01-01T00:00:00Z&to=2200-01-01T00:00:00Z&every=1s',
      'metric=activePower&from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      'metric=activePower&from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z',
      'metric=activePower&from=yesterday',
      'metric=activePower&from=1700000000000',
      'metric=activePower&every=0s',
      'metric=activePower&every=99999d',
      'metric=activePower&every=1w',
      'metric=activePower&every=-5m',
      'metric=activePower&every=5m&every=1h',
      'metric=activePower&extra=1',
    ];
    await expectAllAnswered(queries.map((q) => [`/api/v1/devices/${lamp}/series?${q}`, { allow2xx: true }]));
  });
});

describe('nasty bodies', () => {
  it('POST /api/v1/devices/<id>/commands refuses every nasty body with 4xx problem+json', async () => {
    const requests: [string, RequestInit][] = nastyBodies.map((b) => [
      `/api/v1/devices/${lamp}/commands`,
      json(b.body),
    ]);
    requests.push(
      [`/api/v1/devices/${segment('__proto__')}/commands`, json('{"command":{"action":"reboot"}}')],
      [`/api/v1/devices/${lamp}/commands`, { method: 'POST', body: '{"command":{"action":"reboot"}}' }],
      [`/api/v1/devices/${lamp}/commands`, { ...json(`{"command":"${megabyte}"}`) }],
      [`/api/v1/devices/${lamp}/commands`, { ...json(`{"x":${deepArrays(100_000)}}`) }],
      [
        `/api/v1/devices/${lamp}/commands`,
        { method: 'POST', body: '{}', headers: { 'content-type': 'application/json; charset=utf-16' } },
      ],
      [
        `/api/v1/devices/${lamp}/commands`,
        {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        },
      ],
      [
        `/api/v1/commands`,
        json('{"target":{"kind":"streetlight","gateway":"../x"},"command":{"action":"reboot"}}'),
      ],
      [`/api/v1/commands`, json('{"target":{"kind":"toaster"},"command":{"action":"reboot"}}')],
    );
    await expectAllAnswered(requests);
    const commands = await api(`${city.apiUrl}/api/v1/commands?limit=1000`);
    expect(((await commands.json()) as { total: number }).total).toBe(0);
  });

  it('PUT /api/v1/gateways/<id>/config refuses every nasty body; nothing invalid becomes the configuration', async () => {
    const path = `/api/v1/gateways/${gateway}/config`;
    const requests: [string, RequestInit & { allow2xx?: boolean }][] = nastyBodies.map((b) => [
      path,
      { ...json(b.body, 'PUT'), allow2xx: b.name === 'deadband __proto__' },
    ]);
    requests.push(
      [path, json(`{"reportingIntervalS":60,"deadband":{"k":"${megabyte}"}}`, 'PUT')],
      [`/api/v1/gateways/${segment('gw-x/../../y')}/config`, json('{"reportingIntervalS":60}', 'PUT')],
      [`/api/v1/gateways/${segment('__proto__')}/config`, json('{"reportingIntervalS":60}', 'PUT')],
    );
    await expectAllAnswered(requests);
    const res = await api(`${city.apiUrl}${path}`);
    const config = (await res.json()) as { desired: null | { deadband: Record<string, number> } };
    for (const [key, value] of Object.entries(config.desired?.deadband ?? {})) {
      expect(key).not.toBe('__proto__');
      expect(value).toBeGreaterThanOrEqual(0);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses nasty credentials with 401 problem+json', async () => {
    const tokens = [
      '',
      'Bearer',
      'Bearer ',
      `Bearer ${'x'.repeat(8_000)}`,
      'Basic YWRtaW46YWRtaW4=',
      'Bearer a b',
    ];
    const problems: string[] = [];
    for (const authorization of tokens) {
      const { problem, status } = await probe('/api/v1/devices', { headers: { authorization } });
      if (problem || status !== 401)
        problems.push(`${JSON.stringify(authorization.slice(0, 20))}: ${problem ?? status}`);
    }
    expect(problems).toEqual([]);
  });
});

/** Requests that once answered 500 (found by this suite, fixed): each has its own test below. */
const knownBugs = {
  timeRange: [
    'to=9999-12-31T23:59:59Z',
    'from=0000-01-01T00:00:00Z&to=9999-12-31T23:59:59Z&every=1s',
    'from=1677-09-21T00:12:43Z',
    'to=2262-04-11T23:47:17Z',
  ],
  bucket: ['every=999999d'],
  district: [
    '/api/v1/series?kind=streetlight&metric=activePower&district=a%0Ab',
    '/api/v1/summary?district=a%0Ab',
  ],
};

describe('known bugs, kept visible', () => {
  // BUG (cloud/api/schemas.ts:31 isoTime, used by series-query.ts:77): from/to outside InfluxDB's time range
  // (1677-09-21 .. 2262-04-11) reach InfluxQL, which answers "overflowed duration": the API answers 500.
  it('series with a bound outside InfluxDB time range is a 400, not a 500', async () => {
    await expectAllAnswered(
      knownBugs.timeRange.map((q) => [`/api/v1/devices/${lamp}/series?metric=activePower&${q}`]),
    );
  });

  // BUG (cloud/dashboards/series-query.ts:23 duration): `every` allows up to 999999d, but InfluxQL durations
  // stop at about 106751d ("overflowed duration"): the API answers 500.
  it('series with a bucket too large for InfluxQL is a 400, not a 500', async () => {
    await expectAllAnswered(
      knownBugs.bucket.map((q) => [`/api/v1/devices/${lamp}/series?metric=activePower&${q}`]),
    );
  });

  // BUG (cloud/storage/influxql.ts:9 quoteString does not escape a newline; district is z.string() in
  // cloud/api/schemas.ts): a district with a newline breaks the InfluxQL string literal: 500.
  it('a district with a newline is refused or answered, not a 500', async () => {
    await expectAllAnswered(
      knownBugs.district.map((path): [string, { allow2xx: true }] => [path, { allow2xx: true }]),
    );
  });
});

describe('after the corpus', () => {
  it('a 100 KB URL is refused before express (Node answers 431 without a body), and the server lives on', async () => {
    const res = await api(`${city.apiUrl}/api/v1/devices?q=${'x'.repeat(100_000)}`);
    expect(res.status).toBe(431);
  });

  it('the API still answers /health and lists the fleet', async () => {
    expect((await fetch(`${city.apiUrl}/health`)).status).toBe(200);
    const res = await api(`${city.apiUrl}/api/v1/devices?limit=1000`);
    expect(((await res.json()) as { total: number }).total).toBe(fleet.devices.length);
  });
});
