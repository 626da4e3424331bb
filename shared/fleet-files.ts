import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { JSONParser } from '@streamparser/json';
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
 * The city of the first fleet file (by name), if there is one: only the city is read and checked, not
 * the devices (a region's file holds a million, 135 MB; whoever loads the fleet reads and checks it
 * whole). The file is read only as far as its city, which the platform's tools write first.
 */
export async function readFleetCity(dir: string): Promise<City | undefined> {
  const [name] = await jsonFilesIn(dir);
  if (name === undefined) return undefined;
  const path = join(dir, name);
  const parsed = city.safeParse(await readTopLevelValue(path, 'city'));
  if (!parsed.success)
    throw new Error(`fleet file ${path} is invalid: city: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The value of a top-level key of a JSON file (undefined when it has none), streamed up to that key. */
async function readTopLevelValue(path: string, key: string): Promise<unknown> {
  const parser = new JSONParser({ paths: [`$.${key}`], keepStack: false });
  let found: { value: unknown } | undefined;
  parser.onValue = ({ value }) => {
    found = { value };
  };
  const stream = createReadStream(path);
  try {
    for await (const chunk of stream) {
      parser.write(chunk as Buffer);
      if (found) return found.value;
    }
    // The whole file without the key: a file cut short is told as such, not as a missing key.
    if (!parser.isEnded) parser.end();
  } catch (error) {
    throw new Error(`fleet file ${path}: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
  return undefined;
}

/** Bytes first, decoded at once (`readFile(path, 'utf8')` decodes chunk by chunk): 135 MB in 2.6 s, not 3.5. */
async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse((await readFile(path)).toString('utf8'));
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
