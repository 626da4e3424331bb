import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFleetCheck } from '../../cloud/registry/fleet-check.ts';
import { fleetFile } from '../../shared/fleet.ts';
import { readFleetFiles } from '../../shared/fleet-files.ts';
import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';
import { anyValue, toJsonText } from './arbitraries.ts';
import { nastyStrings } from './nasty-corpus.ts';

/**
 * The compiled fleet check (Ajv, from the zod schema's JSON Schema, and zod for the city and the
 * checks across entries) lets a region's start skip zod's parse. It must never accept a file zod
 * refuses, nor one zod would change.
 */
const isFleetFile = compileFleetCheck();

/** As the cloud reads a file: after JSON text and JSON.parse. */
const asRead = (value: unknown) => JSON.parse(toJsonText(value)) as unknown;

/** Mostly the valid value, sometimes a nasty or arbitrary one. */
const mostly = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof(
    { weight: 40, arbitrary: valid as fc.Arbitrary<unknown> },
    { weight: 1, arbitrary: fc.constantFrom(...nastyStrings) },
    { weight: 1, arbitrary: anyValue },
  );
const gatewayIds = ['gw-noord-01', 'gw-zuid-02', 'gw-centrum-03'];
const locationArb = mostly(
  fc.record({
    lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.constantFrom(-90, 90, 90.0001, -181)),
    lon: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(180, -180.5)),
  }),
);
/** Optional fields sometimes present, sometimes an extra one. */
const withExtras = <T extends object>(base: fc.Arbitrary<T>) =>
  fc
    .tuple(
      base,
      fc.option(mostly(fc.string({ maxLength: 210 })), { freq: 3 }),
      fc.option(anyValue, { freq: 40 }),
    )
    .map(([value, name, extra]) => ({
      ...value,
      ...(name === null ? {} : { name }),
      ...(extra === null ? {} : { extra }),
    }));
const deviceArb = withExtras(
  fc.record({
    id: mostly(
      fc.oneof(fc.stringMatching(/^[a-z]{1,6}-\d{1,3}$/), fc.string({ unit: 'grapheme', maxLength: 130 })),
    ),
    kind: mostly(fc.constantFrom(...(Object.keys(kinds) as DeviceKind[]))),
    gatewayId: mostly(fc.constantFrom(...gatewayIds, ...gatewayIds, 'gw-unknown')),
    district: mostly(fc.constantFrom('noord', 'zuid', 'centrum')),
    location: locationArb,
  }),
);
const gatewayArb = withExtras(
  fc.record({
    id: mostly(fc.constantFrom(...gatewayIds)),
    district: mostly(fc.constantFrom('noord', 'zuid')),
    location: locationArb,
  }),
);
const cityArb = mostly(
  fc.record({
    name: mostly(fc.string({ minLength: 1, maxLength: 101 })),
    timezone: fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom('Europe/Brussels', 'UTC') },
      { weight: 1, arbitrary: fc.constantFrom('Mars/Olympus', '') },
    ),
    location: locationArb,
  }),
);
const fleetArb = fc.record({
  city: cityArb,
  gateways: fc.oneof(
    {
      weight: 8,
      arbitrary: fc.constant(
        gatewayIds.map((id) => ({ id, district: 'noord', location: { lat: 51, lon: 3.7 } })),
      ),
    },
    { weight: 2, arbitrary: mostly(fc.array(gatewayArb, { maxLength: 3 })) },
  ),
  devices: mostly(fc.array(deviceArb, { maxLength: 6 })),
});

describe('compiled fleet check', () => {
  it('never accepts a fleet file zod refuses or would change (plausible, broken and hostile ones)', () => {
    let accepted = 0;
    fc.assert(
      fc.property(fleetArb, (value) => {
        const read = asRead(value);
        const compiled = isFleetFile(read);
        const parsed = fleetFile.safeParse(read);
        if (compiled) {
          expect(parsed.success, toJsonText(read)).toBe(true);
          expect(parsed.data).toEqual(read);
          accepted++;
        }
      }),
      { numRuns: 1_500 },
    );
    // Enough of them valid for the comparison to mean something.
    expect(accepted).toBeGreaterThan(50);
  });

  it('accepts what zod accepts among plausible files (a valid file never goes the slow way)', () => {
    fc.assert(
      fc.property(fleetArb, (value) => {
        const read = asRead(value);
        if (fleetFile.safeParse(read).success) expect(isFleetFile(read), toJsonText(read)).toBe(true);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('reading fleet files with the compiled check', () => {
  const valid = {
    city: { name: 'Gent', timezone: 'Europe/Brussels', location: { lat: 51.05, lon: 3.72 } },
    gateways: [{ id: 'gw-1', district: 'noord', location: { lat: 51.05, lon: 3.72 } }],
    devices: [
      {
        id: 'lamp-1',
        kind: 'streetlight',
        gatewayId: 'gw-1',
        district: 'noord',
        location: { lat: 51, lon: 3.7 },
      },
    ],
  };
  const write = async (name: string, value: unknown) => {
    const dir = await mkdtemp(join(tmpdir(), 'fleet-check-'));
    await writeFile(join(dir, name), JSON.stringify(value));
    return dir;
  };

  it('returns a valid file as read, and refuses a bad entry with the file, the field and zod’s message', async () => {
    expect(await readFleetFiles(await write('a.json', valid), isFleetFile)).toEqual([valid]);
    const bad = {
      ...valid,
      devices: [...valid.devices, { ...valid.devices[0], id: 'lamp-2', kind: 'lamp' }],
    };
    const dir = await write('b.json', bad);
    await expect(readFleetFiles(dir, isFleetFile)).rejects.toThrow(
      /fleet file .*b\.json is invalid: .*devices\[1\]\.kind/s,
    );
    const duplicate = { ...valid, devices: [valid.devices[0], valid.devices[0]] };
    await expect(readFleetFiles(await write('c.json', duplicate), isFleetFile)).rejects.toThrow(
      /duplicate device lamp-1.*devices\[1\]\.id/s,
    );
  });
});
