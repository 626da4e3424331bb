import { asRegion } from '../helpers/tenants.ts';

/** Answers by request path: status and parsed body. */
export type Snapshot = Record<string, { status: number; body: unknown }>;

const lists = [
  '/api/v1/devices?limit=1000',
  '/api/v1/gateways',
  '/api/v1/alerts?limit=1000',
  '/api/v1/rules',
  '/api/v1/rules/export',
  '/api/v1/commands?limit=1000',
  '/api/v1/users',
  '/api/v1/tokens',
  '/api/v1/audit?limit=1000',
  '/api/v1/dead-letters?limit=1000',
  '/api/v1/dead-letters/usage',
  '/api/v1/map?limit=5000',
  '/api/v1/map/districts',
  '/api/v1/map/settings',
];

/** Region staff's reads of captured payloads are audited: a snapshot leaves out those of earlier snapshots. */
function withoutOwnReads(answer: { status: number; body: unknown }) {
  const page = answer.body as { total: number; items: { action: string; actor: string }[] };
  const items = page.items.filter(
    (e) => !(e.action === 'dead-letter.payload-read' && e.actor === snapshotActor),
  );
  return { ...answer, body: { ...page, total: page.total - (page.items.length - items.length), items } };
}

/** A tenant's usage without its message rate now: a measurement of the moment, not its state. */
function withoutRate(answer: { status: number; body: unknown }) {
  const { messagesPerSecond: _rate, ...usage } = (answer.body ?? {}) as Record<string, unknown>;
  return { ...answer, body: usage };
}

/** The name of the token region staff read with (the test admin token's). */
const snapshotActor = 'bootstrap-admin';

/**
 * What region staff read of a tenant: its lists, and every item of them one by one (each device,
 * gateway with its configuration and debug capture, alert with its history, rule, command, captured
 * payload), its record and its usage. Two snapshots are equal when nothing of the tenant changed.
 */
export async function tenantSnapshot(apiUrl: string, tenant: string): Promise<Snapshot> {
  const snapshot: Snapshot = {};
  const read = async (path: string) => {
    const res = await asRegion(apiUrl, tenant, path);
    const text = await res.text();
    const answer = { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined };
    snapshot[path] = path.startsWith('/api/v1/audit')
      ? withoutOwnReads(answer)
      : path.startsWith('/api/v1/tenants/')
        ? withoutRate(answer)
        : answer;
    return answer.body as { items?: { id?: string | number }[] } & { id?: string }[];
  };
  const [devices, gateways, alerts, rules, , commands, , , , letters] = await Promise.all(lists.map(read));
  const ids = (page: { items?: { id?: string | number }[] } | undefined) =>
    (page?.items ?? []).map((item) => encodeURIComponent(String(item.id)));
  const details = [
    ...ids(devices).map((id) => `/api/v1/devices/${id}`),
    ...ids(gateways).flatMap((id) => [
      `/api/v1/gateways/${id}`,
      `/api/v1/gateways/${id}/config`,
      `/api/v1/gateways/${id}/debug-capture`,
    ]),
    ...ids(alerts).map((id) => `/api/v1/alerts/${id}`),
    ...ids(rules).map((id) => `/api/v1/rules/${id}`),
    ...ids(commands).map((id) => `/api/v1/commands/${id}`),
    ...ids(letters).map((id) => `/api/v1/dead-letters/${id}/payload`),
    `/api/v1/tenants/${tenant}`,
    `/api/v1/tenants/${tenant}/usage`,
  ];
  await Promise.all(details.map(read));
  return snapshot;
}
