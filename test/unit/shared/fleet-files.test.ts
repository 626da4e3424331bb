import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFleetCity } from '../../../shared/fleet-files.ts';

const gent = { name: 'Gent', timezone: 'Europe/Brussels', location: { lat: 51.05, lon: 3.72 } };
const leuven = { name: 'Leuven', timezone: 'Europe/Brussels', location: { lat: 50.88, lon: 4.7 } };
let dir: string;

async function write(files: Record<string, unknown>): Promise<string> {
  dir = await mkdtemp(join(tmpdir(), 'fleet-city-'));
  for (const [name, content] of Object.entries(files))
    await writeFile(join(dir, name), JSON.stringify(content));
  return dir;
}

afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the fleet files city', () => {
  it("is the first file's by name, its devices unread", async () => {
    const files = {
      'b.json': { city: leuven, gateways: [], devices: [] },
      'a.json': { city: gent, gateways: [], devices: [{ id: 'not checked here' }] },
      'notes.txt': 'not a fleet file',
    };
    expect(await readFleetCity(await write(files))).toEqual(gent);
  });

  it('is none without fleet files, and a bad one is refused with its file and field', async () => {
    expect(await readFleetCity(await write({}))).toBeUndefined();
    await rm(dir, { recursive: true, force: true });
    const bad = { city: { ...gent, timezone: 'Mars/Olympus' }, gateways: [], devices: [] };
    await expect(readFleetCity(await write({ 'a.json': bad }))).rejects.toThrow(
      /a\.json is invalid: city: .*timezone/s,
    );
  });

  it('is read only as far as the city: what follows it is left to the registry to read and check', async () => {
    await write({});
    const cityFirst = `{"city":${JSON.stringify(gent)},"gateways":[],"devices":[{"id":"d1","gat`;
    await writeFile(join(dir, 'a.json'), cityFirst);
    expect(await readFleetCity(dir)).toEqual(gent);
  });

  it('is found after the devices too, and a file cut short before it or without one is refused', async () => {
    const devices = Array.from({ length: 5_000 }, (_, i) => ({ id: `d${i}`, gatewayId: 'g' }));
    expect(await readFleetCity(await write({ 'a.json': { gateways: [], devices, city: gent } }))).toEqual(
      gent,
    );
    await writeFile(join(dir, 'a.json'), '{"gateways":[],"devices":[{"id":"d1"}');
    await expect(readFleetCity(dir)).rejects.toThrow(/fleet file .*a\.json: .*ended/);
    await writeFile(join(dir, 'a.json'), '{"gateways":[],"devices":[]}');
    await expect(readFleetCity(dir)).rejects.toThrow(/a\.json is invalid: city: /);
    await writeFile(join(dir, 'a.json'), '{"gateways":[}');
    await expect(readFleetCity(dir)).rejects.toThrow(/fleet file .*a\.json: Unexpected/);
  });
});
