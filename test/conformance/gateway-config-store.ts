import { describe, expect, it } from 'vitest';
import type { GatewayConfigStore } from '../../cloud/gateway-config/store.ts';

/** The behaviour every GatewayConfigStore must have; a new backend calls this with a factory for empty stores. */
export function gatewayConfigStoreConformance(
  name: string,
  createStore: () => GatewayConfigStore | Promise<GatewayConfigStore>,
) {
  const at = '2026-11-30T10:00:00.000Z';
  const change = { reportingIntervalS: 60, deadband: { power: 5, voltage: 0.5 }, maxSilenceS: 900 };
  const every = (reportingIntervalS: number) => ({ reportingIntervalS, deadband: {}, maxSilenceS: 600 });

  describe(`GatewayConfigStore conformance: ${name}`, () => {
    it("saves a gateway's first configuration as version 1 and gives it back whole, fields in order", async () => {
      const store = await createStore();
      expect(await store.get('gw-1')).toBeUndefined();
      const saved = await store.save('gw-1', change, at);
      expect(saved).toEqual({ v: 1, version: 1, ...change });
      expect(await store.get('gw-1')).toEqual(saved);
      expect(JSON.stringify(await store.get('gw-1'))).toBe(JSON.stringify({ v: 1, version: 1, ...change }));
    });

    it('gives each change the next version; the last change replaces the fields', async () => {
      const store = await createStore();
      await store.save('gw-1', change, at);
      await store.save('gw-2', every(5), at);
      const second = await store.save('gw-1', every(30), at);
      expect(second).toEqual({ v: 1, version: 2, ...every(30) });
      expect(await store.get('gw-1')).toEqual(second);
      expect((await store.get('gw-2'))?.version).toBe(1);
    });

    it('lists every configuration by gateway id', async () => {
      const store = await createStore();
      await store.save('gw-b', every(5), at);
      await store.save('gw-a', change, at);
      await store.save('gw-b', every(6), at);
      expect(await store.all()).toEqual([
        { gatewayId: 'gw-a', config: { v: 1, version: 1, ...change } },
        { gatewayId: 'gw-b', config: { v: 1, version: 2, ...every(6) } },
      ]);
    });

    it('of many changes of one gateway at once, each gets a version of its own', async () => {
      const store = await createStore();
      const saved = await Promise.all([1, 2, 3, 4].map((n) => store.save('gw-1', every(n), at)));
      expect(saved.map((c) => c.version).sort()).toEqual([1, 2, 3, 4]);
      expect((await store.get('gw-1'))?.version).toBe(4);
    });
  });
}
