import type { BrowserContext, Route } from 'playwright-core';
import type { FleetFile } from '../../shared/fleet.ts';
import { apiFetch, testAdminToken } from '../helpers/cloud.ts';

/**
 * PROVISIONAL, until the branches of issue 12 meet: the routes of the console contract that the
 * cloud under test does not have yet (sessions and users of helper "auth"; events and map of
 * helper "live") are answered here, in the browser, from the routes that exist, and the other API
 * requests of a "signed-in" page carry the test admin token. Each part is on only when the cloud
 * answers 404 for its route (probed once), so with the real routes this file does nothing and can
 * be deleted.
 */
export interface MissingRoutes {
  session: boolean;
  users: boolean;
  events: boolean;
  map: boolean;
}

export async function probeMissingRoutes(apiUrl: string): Promise<MissingRoutes> {
  const missing = async (path: string, init?: RequestInit) => {
    const response = await apiFetch(`${apiUrl}${path}`, init);
    await response.body?.cancel();
    return response.status === 404;
  };
  return {
    session: await missing('/api/v1/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'probe', password: 'probe-probe-probe' }),
    }),
    users: await missing('/api/v1/users'),
    events: await missing('/api/v1/events'),
    map: await missing('/api/v1/map/settings'),
  };
}

const problem = (status: number, detail: string) => ({
  status,
  contentType: 'application/problem+json',
  body: JSON.stringify({ type: 'about:blank', title: 'Provisional', status, detail, instance: '' }),
});

export async function answerMissingRoutes(
  context: BrowserContext,
  options: {
    apiUrl: string;
    fleet: FleetFile;
    missing: MissingRoutes;
    user: { username: string; password: string };
  },
): Promise<void> {
  const { apiUrl, fleet, missing, user } = options;
  if (!Object.values(missing).some(Boolean)) return;
  let signedIn = false;
  const sessionBody = () => ({
    user: { username: user.username, displayName: 'Test Admin', role: 'admin', mustChangePassword: false },
    csrfToken: 'provisional',
  });
  const json = (route: Route, body: unknown, status = 200) =>
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });

  await context.route(/\/api\/v1\//, async (route, request) => {
    const url = new URL(request.url());
    const path = url.pathname;
    const method = request.method();
    if (missing.session && path === '/api/v1/session') {
      if (method === 'POST') {
        const body = request.postDataJSON() as { username?: string; password?: string };
        if (body.username !== user.username || body.password !== user.password)
          return route.fulfill(problem(401, 'wrong username or password'));
        signedIn = true;
        return json(route, sessionBody());
      }
      if (method === 'DELETE') {
        signedIn = false;
        return route.fulfill({ status: 204 });
      }
      return signedIn ? json(route, sessionBody()) : route.fulfill(problem(401, 'no session'));
    }
    if (missing.session && !signedIn) return route.fulfill(problem(401, 'no session'));
    if (missing.session && path === '/api/v1/session/password') return route.fulfill({ status: 204 });
    if (missing.users && path === '/api/v1/users' && method === 'GET') {
      const now = new Date().toISOString();
      return json(route, {
        items: [
          { ...sessionBody().user, disabled: false, createdAt: now, lastSignInAt: now },
          {
            username: 'technik',
            displayName: 'Jana Nováková',
            role: 'operator',
            disabled: false,
            createdAt: now,
            mustChangePassword: true,
          },
        ],
      });
    }
    // 204 ends an EventSource for good: no reconnect loop while the stream does not exist.
    if (missing.events && path === '/api/v1/events') return route.fulfill({ status: 204 });
    if (missing.map && path.startsWith('/api/v1/map/'))
      return json(route, await mapAnswer(path, url, apiUrl, fleet));
    const headers = { ...request.headers() };
    if (missing.session) headers.authorization = `Bearer ${testAdminToken}`;
    return route.continue({ headers });
  });
}

type Point = { lat: number; lon: number };
function boundsOf(points: Point[], pad = 0.002): [number, number, number, number] {
  const lons = points.map((p) => p.lon);
  const lats = points.map((p) => p.lat);
  return [Math.min(...lons) - pad, Math.min(...lats) - pad, Math.max(...lons) + pad, Math.max(...lats) + pad];
}

/** The map routes of the contract from GET /api/v1/map and /alerts: every device alone, no clusters. */
async function mapAnswer(path: string, url: URL, apiUrl: string, fleet: FleetFile): Promise<unknown> {
  const located = fleet.devices.filter((d) => d.location) as (FleetFile['devices'][number] & {
    location: Point;
  })[];
  if (path === '/api/v1/map/settings') {
    return {
      city: fleet.city,
      bounds: boundsOf(located.map((d) => d.location)),
      tileUrl: null,
      attribution: null,
    };
  }
  if (path === '/api/v1/map/districts') {
    const districts = [...new Set(located.map((d) => d.district))];
    return {
      type: 'FeatureCollection',
      features: districts.map((district) => {
        const members = located.filter((d) => d.district === district);
        const [w, s, e, n] = boundsOf(members.map((d) => d.location));
        return {
          type: 'Feature',
          properties: { district, devices: members.length },
          geometry: {
            type: 'Polygon',
            coordinates: [
              [
                [w, s],
                [e, s],
                [e, n],
                [w, n],
                [w, s],
              ],
            ],
          },
        };
      }),
    };
  }
  const [w, s, e, n] = (url.searchParams.get('bbox') ?? '-180,-90,180,90').split(',').map(Number) as number[];
  const map = (await (await apiFetch(`${apiUrl}/api/v1/map`)).json()) as {
    features: { geometry: { coordinates: [number, number] }; properties: Record<string, unknown> }[];
  };
  const alerts = (await (await apiFetch(`${apiUrl}/api/v1/alerts?state=open&limit=1000`)).json()) as {
    items: { severity: string; subject: { id: string } }[];
  };
  const order = ['info', 'warning', 'minor', 'major', 'critical'];
  const worst = new Map<string, string>();
  for (const a of alerts.items) {
    const before = worst.get(a.subject.id);
    if (!before || order.indexOf(a.severity) > order.indexOf(before)) worst.set(a.subject.id, a.severity);
  }
  const kind = url.searchParams.get('kind');
  return {
    type: 'FeatureCollection',
    features: map.features
      .filter(
        ({
          geometry: {
            coordinates: [lon, lat],
          },
        }) => lon >= (w as number) && lon <= (e as number) && lat >= (s as number) && lat <= (n as number),
      )
      .filter((f) => !kind || f.properties.kind === kind)
      .map((f) => {
        const id = String(f.properties.id);
        const state = worst.get(id) ?? (f.properties.status === 'offline' ? 'offline' : 'ok');
        return {
          type: 'Feature',
          geometry: f.geometry,
          properties: { cluster: false, id, kind: f.properties.kind, district: f.properties.district, state },
        };
      }),
  };
}
