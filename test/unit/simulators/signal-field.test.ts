import { describe, expect, it } from 'vitest';
import { uplink } from '../../../shared/uplink.ts';
import { simulatedUplinkFactory, simulatedUplinkSettings } from '../../../simulators/uplink/factory.ts';
import { simulatedLink, weakness } from '../../../simulators/uplink/signal-field.ts';

const at = new Date('2026-11-30T10:00:00Z');
/** A square of about 10 km x 7 km around Karlovy Vary, every ~250 m. */
const places = Array.from({ length: 40 }, (_, i) =>
  Array.from({ length: 40 }, (_, j) => ({ lat: 50.18 + i * 0.0025, lon: 12.82 + j * 0.0025 })),
).flat();

describe('the simulated signal field', () => {
  it('is deterministic: same seed, place and minute, same link', () => {
    const place = { lat: 50.23, lon: 12.87 };
    expect(simulatedLink(place, at, 'kv')).toEqual(
      simulatedLink(place, new Date(at.getTime() + 59_000), 'kv'),
    );
    expect(weakness(place, 'kv')).toBe(weakness(place, 'kv'));
  });

  it('has places of weak signal, and mostly coverage, and a seed moves them', () => {
    const weak = places.filter((p) => weakness(p, 'kv') > 0.6).length;
    const clear = places.filter((p) => weakness(p, 'kv') === 0).length;
    expect(weak).toBeGreaterThan(places.length * 0.02);
    expect(clear).toBeGreaterThan(places.length * 0.4);
    const moved = places.filter((p) => weakness(p, 'kv') > 0.6 !== weakness(p, 'other') > 0.6).length;
    expect(moved).toBeGreaterThan(0);
  });

  it('answers links that fit the heartbeat schema, weaker where the field is weak', () => {
    for (const place of places) expect(uplink.safeParse(simulatedLink(place, at, 'kv')).success).toBe(true);
    const byWeakness = [...places].sort((a, b) => weakness(a, 'kv') - weakness(b, 'kv'));
    const strongest = simulatedLink(byWeakness[0] as (typeof places)[0], at, 'kv');
    const weakest = simulatedLink(byWeakness.at(-1) as (typeof places)[0], at, 'kv');
    expect(weakest.rsrp).toBeLessThan(strongest.rsrp - 20);
    expect(weakest.sinr).toBeLessThan(strongest.sinr);
  });

  it('needs a location, from the fleet file or its settings', async () => {
    const settings = simulatedUplinkSettings.parse({});
    expect(() => simulatedUplinkFactory.create(settings, { gatewayId: 'gw-1' })).toThrow(/location/);
    const source = simulatedUplinkFactory.create(settings, {
      gatewayId: 'gw-1',
      location: { lat: 50.2, lon: 12.9 },
    });
    expect(await source.read(at)).toEqual(simulatedLink({ lat: 50.2, lon: 12.9 }, at, 'coverage'));
  });
});
