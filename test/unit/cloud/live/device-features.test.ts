import { describe, expect, it } from 'vitest';
import { DeviceFeatures, deviceFeature } from '../../../../cloud/live/device-features.ts';
import type { Connectivity } from '../../../../cloud/registry/registry.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

type Located = DeviceRecord & { location: { lat: number; lon: number } };

const lamp = (id = 'lamp-"7"\\é'): Located => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'Staré Město',
  location: { lat: 50.087451, lon: 0.1 + 0.2 },
  provisioned: true,
  lastSeen: '2026-12-01T03:00:00.000Z',
  latest: { powerState: 'on', dimLevel: 55.5, status: 'ok' },
});

/** What the feature is, written out key by key. */
const expected = (d: Located, status: Connectivity, condition: string) => ({
  type: 'Feature',
  id: d.id,
  geometry: { type: 'Point', coordinates: [d.location.lon, d.location.lat] },
  properties: {
    id: d.id,
    kind: d.kind,
    district: d.district,
    gatewayId: d.gatewayId,
    name: d.name ?? null,
    status,
    condition,
    lastSeen: d.lastSeen ?? null,
    latest: d.latest,
  },
});

/** An answer's parts as its text. */
const text = (parts: Buffer[]) => Buffer.concat(parts).toString('utf8');
const online = (d: Pick<DeviceRecord, 'lastSeen'>): Connectivity => (d.lastSeen ? 'online' : 'offline');
/** The devices at positions 0, 1, 2… */
const placed = (...devices: DeviceRecord[]) => ({ at: devices.map((_, k) => k), devices });
const one = (features: DeviceFeatures, d: DeviceRecord, status: Connectivity = 'online', at = 0) =>
  text(features.collection({ at: [at], devices: [d] }, () => status));
const collectionOf = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe('device features', () => {
  it('are the feature, key for key and in order: online, offline, at fault, unnamed and never heard from', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    expect(deviceFeature(d, 'online')).toEqual(expected(d, 'online', 'ok'));
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(one(features, d, 'offline')).toBe(collectionOf(expected(d, 'offline', 'offline')));
    d.latest = { powerState: 'on', status: 'defectiveLamp' };
    features.changed([d]);
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'fault')));
    const quiet: Located = { ...lamp('quiet'), name: 'U Radnice', lastSeen: undefined, latest: {} };
    expect(one(features, quiet, 'offline', 1)).toBe(collectionOf(expected(quiet, 'offline', 'offline')));
    expect(JSON.parse(one(features, quiet, 'offline', 1))).toEqual({
      type: 'FeatureCollection',
      features: [deviceFeature(quiet, 'offline')],
    });
  });

  it('are kept while the record is the one written and the registry told of no change; then written again', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    const first = one(features, d);
    expect(one(features, d)).toBe(first);
    expect(features.written).toBe(1);
    for (const change of [
      () => (d.name = 'U Radnice'),
      () => (d.district = 'Vinohrady'),
      () => (d.gatewayId = 'gw-2'),
      () => (d.kind = 'wasteBin'),
      () => (d.location = { lat: 50.1, lon: 14.5 }),
      () => (d.location.lat = 50.2),
      () => (d.location.lon = 14.6),
      () => (d.latest.dimLevel = 10),
      () => (d.latest.extra = true),
      () => delete d.latest.extra,
      () => (d.lastSeen = '2026-12-01T03:00:02.000Z'),
    ]) {
      const before = one(features, d);
      const written = features.written;
      change();
      // Changed in place and not told: what was written stands (the registry tells of every change).
      expect(one(features, d)).toBe(before);
      expect(features.written).toBe(written);
      features.changed([lamp('another'), d]);
      expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
      expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
      // Written again once for the change, then kept.
      expect(features.written).toBe(written + 1);
    }
    // Another record at the position (the map's devices made again), or a copy of the record.
    const copy = { ...d, location: { ...d.location }, name: 'copy' };
    expect(one(features, copy)).toBe(collectionOf(expected(copy, 'online', 'ok')));
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(features.written).toBe(14);
    expect(features.size).toBe(1);
  });

  it('are written again when the connectivity told from the last-seen time changes, and only then', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    let since = '2026-12-01T02:00:00.000Z';
    const connectivity = (x: Pick<DeviceRecord, 'lastSeen'>): Connectivity =>
      x.lastSeen !== undefined && x.lastSeen >= since ? 'online' : 'offline';
    const answer = () => text(features.collection({ at: [3], devices: [d] }, connectivity));
    expect(answer()).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(answer()).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(features.written).toBe(1);
    since = '2026-12-01T03:00:00.000Z';
    expect(answer()).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(features.written).toBe(1);
    since = '2026-12-01T03:00:00.001Z';
    expect(answer()).toBe(collectionOf(expected(d, 'offline', 'offline')));
    expect(answer()).toBe(collectionOf(expected(d, 'offline', 'offline')));
    expect(features.written).toBe(2);
    // Seen again: told by the registry, online again from the new time.
    d.lastSeen = '2026-12-01T03:00:05.000Z';
    features.changed([d]);
    expect(answer()).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(features.written).toBe(3);
  });

  it('keep one feature per device and one per position: a device at a new position, another at the old', () => {
    const features = new DeviceFeatures(10);
    const [a, b] = [lamp('a'), lamp('b')];
    one(features, a, 'online', 0);
    one(features, a, 'online', 1);
    expect(features.size).toBe(1);
    one(features, b, 'online', 0);
    expect(features.size).toBe(2);
    one(features, b, 'online', 1);
    expect(features.size).toBe(1);
    // Told of a change, the device is written again wherever it is kept.
    b.name = 'renamed';
    features.changed([b]);
    expect(one(features, b, 'online', 1)).toBe(collectionOf(expected(b, 'online', 'ok')));
    expect(one(features, a, 'online', 0)).toBe(collectionOf(expected(a, 'online', 'ok')));
    expect(features.size).toBe(2);
    expect(features.written).toBe(6);
  });

  it('make a FeatureCollection of the located devices only, foreign members after the features', () => {
    const a = lamp('a');
    const b = { ...lamp('b'), location: undefined };
    const c = { ...lamp('c'), lastSeen: undefined };
    const features = new DeviceFeatures(10);
    const answer = () =>
      text(features.collection(placed(a, b, c), online, { numberMatched: 3, numberReturned: 2 }));
    const whole = JSON.stringify({
      type: 'FeatureCollection',
      features: [expected(a, 'online', 'ok'), expected(c, 'offline', 'offline')],
      numberMatched: 3,
      numberReturned: 2,
    });
    expect(answer()).toBe(whole);
    expect(answer()).toBe(whole);
    // A device no longer located, told: left out.
    (a as DeviceRecord).location = undefined;
    features.changed([a]);
    expect(text(features.collection(placed(a, c), online))).toBe(
      collectionOf(expected(c, 'offline', 'offline')),
    );
    expect(text(new DeviceFeatures(1).collection(placed(), online))).toBe(
      '{"type":"FeatureCollection","features":[]}',
    );
  });

  it('keep at most so many devices, the earliest written going first', () => {
    const features = new DeviceFeatures(2);
    const [a, b, c] = [lamp('a'), lamp('b'), lamp('c')];
    features.collection(placed(a, b), online);
    expect(features.size).toBe(2);
    features.collection({ at: [2], devices: [c] }, online);
    expect(features.size).toBe(2);
    expect(features.written).toBe(3);
    // b and c kept, a gone.
    expect(text(features.collection({ at: [1, 2], devices: [b, c] }, online))).toBe(
      collectionOf(...[b, c].map((d) => expected(d, 'online', 'ok'))),
    );
    expect(features.written).toBe(3);
    // a written again, b goes for it.
    expect(one(features, a)).toBe(collectionOf(expected(a, 'online', 'ok')));
    expect(features.written).toBe(4);
    // Forgotten by id too: a change told of b (gone) is nothing, and c's feature is still kept.
    features.changed([b]);
    features.collection({ at: [2], devices: [c] }, online);
    expect(features.written).toBe(4);
    expect(features.size).toBe(2);
  });
});
