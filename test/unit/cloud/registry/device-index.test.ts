import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeviceIndex } from '../../../../cloud/registry/device-index.ts';
import { byId, FirstInOrder, listPage, matches } from '../../../../cloud/registry/device-listing.ts';
import {
  type DeviceFilter,
  type DeviceRecord,
  type DeviceSort,
  deviceSorts,
} from '../../../../cloud/registry/store.ts';

const kinds = ['streetlight', 'camera', 'wasteBin'] as const;
const districts = ['centrum', 'noord', 'zuid'];
const gateways = ['gw-a', 'gw-b', 'gw-c', 'gw-d'];
/** Minutes past noon as an instant: the devices' last-seen times and the thresholds asked. */
const at = (minute: number) => new Date(Date.UTC(2026, 10, 30, 12, minute)).toISOString();

const deviceArb = fc.record({
  kind: fc.constantFrom(...kinds),
  district: fc.constantFrom(...districts),
  gatewayId: fc.constantFrom(...gateways),
  lastSeen: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  name: fc.option(fc.constantFrom('Korenmarkt', 'Dok'), { nil: undefined }),
});

const filterArb = fc.record(
  {
    kind: fc.constantFrom(...kinds),
    district: fc.constantFrom(...districts),
    gatewayId: fc.constantFrom(...gateways),
    seen: fc.constantFrom('online' as const, 'offline' as const),
    text: fc.constantFrom('KOREN', 'dev-1'),
    ids: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { maxLength: 8 }),
  },
  { requiredKeys: [] },
);

type GeneratedDevice = typeof deviceArb extends fc.Arbitrary<infer T> ? T : never;

/** A change to the devices between lists: one seen at a minute (a reading). */
const changeArb = fc.record({ device: fc.nat(), minute: fc.integer({ min: 0, max: 25 }) });

const recordsOf = (devices: GeneratedDevice[]): DeviceRecord[] =>
  devices.map((d, i) => ({
    id: `dev-${String(i).padStart(3, '0')}`,
    kind: d.kind,
    district: d.district,
    gatewayId: d.gatewayId,
    provisioned: true,
    latest: {},
    ...(d.name === undefined ? {} : { name: d.name }),
    ...(d.lastSeen === undefined ? {} : { lastSeen: at(d.lastSeen) }),
  }));

describe('the device index', () => {
  it('lists and counts as a walk over every device does, as devices are seen and the threshold moves', () => {
    fc.assert(
      fc.property(
        fc.array(deviceArb, { maxLength: 40 }),
        fc.array(
          fc.record({
            change: fc.option(changeArb, { nil: undefined }),
            filter: filterArb,
            since: fc.integer({ min: 0, max: 25 }),
            sort: fc.constantFrom<DeviceSort>(...deviceSorts),
            offset: fc.integer({ min: 0, max: 12 }),
            limit: fc.integer({ min: 1, max: 6 }),
          }),
          { maxLength: 12 },
        ),
        (generated, steps) => {
          const devices = recordsOf(generated);
          const byIdMap = new Map(devices.map((d) => [d.id, d]));
          const index = new DeviceIndex((id) => byIdMap.get(id));
          index.rebuild(devices);
          const sorted = [...devices].sort(byId);
          for (const step of steps) {
            const changed = step.change && devices[step.change.device % Math.max(1, devices.length)];
            if (step.change && changed) {
              changed.lastSeen = at(step.change.minute);
              index.seen(changed);
            }
            const { ids, ...rest } = step.filter;
            const filter: DeviceFilter = {
              ...rest,
              seenSince: at(step.since),
              ...(ids === undefined
                ? {}
                : { ids: new Set(ids.map((i) => `dev-${String(i).padStart(3, '0')}`)) }),
            };
            const page = { sort: step.sort, offset: step.offset, limit: step.limit };
            const walked = listPage(sorted, filter, page);
            const listed = index.page(filter, page);
            expect(listed.total).toBe(walked.total);
            expect(listed.items.map((d) => d.id)).toEqual(walked.items.map((d) => d.id));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts a device online from the instant the threshold names, and offline once it passes', () => {
    const devices = recordsOf([
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: 5, name: undefined },
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: 4, name: undefined },
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: undefined, name: undefined },
    ]);
    const index = new DeviceIndex(() => undefined);
    index.rebuild(devices);
    const count = (seen: 'online' | 'offline', minute: number) =>
      index.page({ kind: 'camera', seen, seenSince: at(minute) }, { limit: 10, offset: 0 }).total;
    expect([count('online', 5), count('offline', 5)]).toEqual([1, 2]);
    expect([count('online', 6), count('offline', 6)]).toEqual([0, 3]);
    // Heard from again: online at the later threshold, and a clock set back finds the older ones again.
    const [, second] = devices as [DeviceRecord, DeviceRecord];
    second.lastSeen = at(7);
    index.seen(second);
    expect([count('online', 6), count('offline', 6)]).toEqual([1, 2]);
    expect(count('online', 4)).toBe(2);
    expect(count('online', 0)).toBe(2);
  });
});

describe('connectivity changes', () => {
  it('lists each device heard from or gone quiet once, and none that stayed; all when remade', () => {
    const devices = recordsOf([
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: 5, name: undefined },
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: 8, name: undefined },
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: undefined, name: undefined },
    ]);
    const [a, b, c] = devices as [DeviceRecord, DeviceRecord, DeviceRecord];
    const index = new DeviceIndex(() => undefined);
    index.rebuild(devices);
    const ids = (since: number) => {
      const changes = index.connectivityChanges(at(since));
      return changes && [...changes].map((d) => d.id).sort();
    };
    expect(ids(0)).toBeUndefined();
    expect(ids(5)).toEqual([]);
    expect(ids(6)).toEqual([a.id]);
    c.lastSeen = at(9);
    index.seen(c);
    b.lastSeen = at(9);
    index.seen(b);
    expect(ids(8)).toEqual([c.id]);
    expect(ids(9)).toEqual([]);
    expect(ids(10)).toEqual([b.id, c.id].sort());
    expect(ids(3)).toBeUndefined();
  });
});

describe('the first items in an order', () => {
  it('keeps what sorting all of them and taking the first would', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 30 })),
        fc.integer({ min: 1, max: 10 }),
        (items, count) => {
          const first = new FirstInOrder<number>(count, (a, b) => a - b);
          for (const item of items) first.offer(item);
          expect(first.kept).toEqual([...items].sort((a, b) => a - b).slice(0, count));
        },
      ),
    );
  });
});

describe('matches', () => {
  it('refuses a device of another gateway even when kind and district agree', () => {
    const [device] = recordsOf([
      { kind: 'camera', district: 'noord', gatewayId: 'gw-a', lastSeen: undefined, name: undefined },
    ]);
    expect(matches(device as DeviceRecord, { kind: 'camera', district: 'noord', gatewayId: 'gw-b' })).toBe(
      false,
    );
    expect(matches(device as DeviceRecord, { kind: 'camera', district: 'noord', gatewayId: 'gw-a' })).toBe(
      true,
    );
  });
});
