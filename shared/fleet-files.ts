import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type FleetFile, fleetFile } from './fleet.ts';
import { jsonFilesIn } from './json-files.ts';

/** Reads every `*.json` in the fleet directory; a bad file stops start-up with its name and field. */
export async function readFleetFiles(dir: string): Promise<FleetFile[]> {
  const names = await jsonFilesIn(dir);
  return Promise.all(names.map((name) => readFleetFile(join(dir, name))));
}

export async function readFleetFile(path: string): Promise<FleetFile> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`fleet file ${path}: ${(error as Error).message}`);
  }
  const parsed = fleetFile.safeParse(json);
  if (!parsed.success) throw new Error(`fleet file ${path} is invalid: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
