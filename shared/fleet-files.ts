import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type City, city, type FleetFile, fleetFile } from './fleet.ts';
import { jsonFilesIn } from './json-files.ts';

/**
 * A quicker check than zod's parse that only ever says yes to a file zod accepts unchanged (the
 * cloud's compiled check, cloud/registry/fleet-check.ts); when it says no, zod decides and tells why.
 */
export type FleetCheck = (json: unknown) => json is FleetFile;

/** Reads every `*.json` in the fleet directory; a bad file stops start-up with its name and field. */
export async function readFleetFiles(dir: string, check?: FleetCheck): Promise<FleetFile[]> {
  const names = await jsonFilesIn(dir);
  return Promise.all(names.map((name) => readFleetFile(join(dir, name), check)));
}

/**
 * The city of the first fleet file (by name), if there is one: only the city is checked, not the
 * devices (a region's file holds a million; whoever loads the fleet reads and checks it whole).
 */
export async function readFleetCity(dir: string): Promise<City | undefined> {
  const [name] = await jsonFilesIn(dir);
  if (name === undefined) return undefined;
  const path = join(dir, name);
  const json = await readJson(path);
  const parsed = city.safeParse(
    typeof json === 'object' && json !== null && 'city' in json ? json.city : undefined,
  );
  if (!parsed.success)
    throw new Error(`fleet file ${path} is invalid: city: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`fleet file ${path}: ${(error as Error).message}`);
  }
}

export async function readFleetFile(path: string, check?: FleetCheck): Promise<FleetFile> {
  const json = await readJson(path);
  if (check?.(json)) return json;
  const parsed = fleetFile.safeParse(json);
  if (!parsed.success) throw new Error(`fleet file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
