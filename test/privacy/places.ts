import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { InfluxConnection } from '../../cloud/storage/influx.ts';
import { quoteIdent } from '../../cloud/storage/influxql.ts';

/** One place data can end up, and what it holds (text, or the raw bytes of a file). */
export interface Place {
  where: string;
  content: string | Buffer;
}

/** Everything InfluxDB holds: measurements, every point of each, tag keys and values, field keys, series. */
export async function influxPlaces(influx: InfluxConnection): Promise<Place[]> {
  const [measurements] = await influx.query('SHOW MEASUREMENTS');
  const names = (measurements?.[0]?.values ?? []).map((row) => String(row[0]));
  const places: Place[] = [{ where: 'influx: SHOW MEASUREMENTS', content: JSON.stringify(names) }];
  for (const statement of [
    'SHOW SERIES',
    'SHOW TAG KEYS',
    'SHOW FIELD KEYS',
    'SHOW TAG VALUES WITH KEY =~ /.*/',
  ])
    places.push({ where: `influx: ${statement}`, content: JSON.stringify(await influx.query(statement)) });
  for (const name of names)
    places.push({
      where: `influx: SELECT * FROM ${name}`,
      content: JSON.stringify(await influx.query(`SELECT * FROM ${quoteIdent(name)}`)),
    });
  return places;
}

/** The raw bytes of every file under `dir` (SQLite databases with their -wal and -shm, credentials, ...). */
export async function filePlaces(dir: string): Promise<Place[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  return Promise.all(
    files.map(async (path) => ({ where: `file: ${relative(dir, path)}`, content: await readFile(path) })),
  );
}

/** A needle as it may be written: as is, and base64-encoded at each of the three byte alignments. */
function encodings(needle: string): string[] {
  const bytes = Buffer.from(needle);
  const forms = [0, 1, 2].map((shift) => {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    // Keep the characters whose six bits all come from the needle, not from the bytes around it.
    const own = (k: number) =>
      Math.floor((6 * k) / 8) >= shift && Math.floor((6 * k + 5) / 8) < shift + bytes.length;
    return [...encoded].filter((_, k) => own(k)).join('');
  });
  return [needle, ...forms];
}

/** What surrounds a find in text, to tell where in a place it sits (a log line, a JSON field). */
function context(content: string, at: number): string {
  return JSON.stringify(content.slice(Math.max(0, at - 60), at + 20));
}

/** Where each needle was found (in any of its encodings); empty when none is anywhere. */
export function findNeedles(needles: readonly string[], places: readonly Place[]): string[] {
  const found: string[] = [];
  for (const needle of needles)
    for (const form of encodings(needle))
      for (const place of places) {
        const at = place.content.indexOf(form);
        if (at < 0) continue;
        const what = `${JSON.stringify(needle)}${form === needle ? '' : ' (base64)'} in ${place.where}`;
        found.push(typeof place.content === 'string' ? `${what}: ${context(place.content, at)}` : what);
      }
  return found;
}

export type Role = 'viewer' | 'operator' | 'admin';

/** Fetches `path` with a role's token: the status and the answer's text (a 403 is searched too). */
async function answer(apiUrl: string, token: string, path: string): Promise<string> {
  const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return `${res.status} ${await res.text()}`;
}

/** The ids of a list's items, ready for a path. */
async function ids(apiUrl: string, token: string, path: string): Promise<string[]> {
  const res = await fetch(`${apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { items: { id: string | number }[] };
  return body.items.map((item) => encodeURIComponent(String(item.id)));
}

/** Every GET route of the REST API (each device, gateway and alert, every list in full), for every role. */
export async function restPlaces(apiUrl: string, tokens: Record<Role, string>): Promise<Place[]> {
  const v1 = '/api/v1';
  const list = (path: string) => ids(apiUrl, tokens.admin, `${v1}${path}`);
  const [devices, gateways, alerts, rules] = await Promise.all([
    list('/devices?limit=1000'),
    list('/gateways'),
    list('/alerts?limit=1000'),
    list('/rules'),
  ]);
  const paths = [
    '/health',
    '/metrics',
    `${v1}/devices?limit=1000`,
    ...devices.flatMap((id) => [`${v1}/devices/${id}`, `${v1}/devices/${id}/series?metric=peopleCount`]),
    `${v1}/gateways`,
    ...gateways.flatMap((id) => [`${v1}/gateways/${id}`, `${v1}/gateways/${id}/config`]),
    `${v1}/commands?limit=1000`,
    `${v1}/dead-letters?limit=1000`,
    `${v1}/rules`,
    `${v1}/rules/export`,
    ...rules.map((id) => `${v1}/rules/${id}`),
    `${v1}/alerts?limit=1000`,
    ...alerts.map((id) => `${v1}/alerts/${id}`),
    `${v1}/tokens`,
    `${v1}/audit?limit=1000`,
    `${v1}/summary`,
    `${v1}/map`,
    `${v1}/series?kind=camera&metric=peopleCount`,
  ];
  const places: Place[] = [];
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const answers = await Promise.all(paths.map((path) => answer(apiUrl, tokens[role], path)));
    for (const [i, content] of answers.entries())
      places.push({ where: `GET ${paths[i]} as ${role}`, content });
  }
  return places;
}
