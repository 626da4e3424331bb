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
const online = (d: Readonly<DeviceRecord>): Connectivity => (d.lastSeen ? 'online' : 'offline');
const one = (features: DeviceFeatures, d: DeviceRecord, status: Connectivity = 'online') =>
  text(features.collection([d], () => status));
const collectionOf = (...features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });

describe('device features', () => {
  it('are the feature, key for key and in order: online, offline, at fault, unnamed and never heard from', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    expect(deviceFeature(d, 'online')).toEqual(expected(d, 'online', 'ok'));
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(one(features, d, 'offline')).toBe(collectionOf(expected(d, 'offline', 'offline')));
    d.latest = { powerState: 'on', status: 'defectiveLamp' };
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'fault')));
    const quiet: Located = { ...lamp('quiet'), name: 'U Radnice', lastSeen: undefined, latest: {} };
    expect(one(features, quiet, 'offline')).toBe(collectionOf(expected(quiet, 'offline', 'offline')));
    expect(JSON.parse(one(features, quiet, 'offline'))).toEqual({
      type: 'FeatureCollection',
      features: [deviceFeature(quiet, 'offline')],
    });
  });

  it('keep a head while the record is what it was made of, and follow each change in it', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    one(features, d);
    d.latest = { powerState: 'off', dimLevel: 0, status: 'ok' };
    d.lastSeen = '2026-12-01T03:00:01.000Z';
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    for (const change of [
      () => (d.name = 'U Radnice'),
      () => (d.district = 'Vinohrady'),
      () => (d.gatewayId = 'gw-2'),
      () => (d.kind = 'wasteBin'),
      () => (d.location = { lat: 50.1, lon: 14.5 }),
      () => (d.location.lat = 50.2),
      () => (d.location.lon = 14.6),
    ]) {
      change();
      expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    }
    const copy = { ...d, location: { ...d.location } };
    expect(one(features, copy)).toBe(collectionOf(expected(copy, 'online', 'ok')));
    expect(features.size).toBe(1);
  });

  it('write a feature again when its live part changed, however it changed, and only then', () => {
    const features = new DeviceFeatures(10);
    const d = lamp();
    const first = one(features, d);
    expect(one(features, d)).toBe(first);
    // Written once, then taken as kept.
    expect(features.written).toBe(1);
    // The latest values change in place (the registry's own object), with the same timestamp too.
    for (const change of [
      () => (d.latest.dimLevel = 10),
      () => (d.latest.dimLevel = '10'),
      () => (d.latest.extra = true),
      () => delete d.latest.extra,
      () => {
        // One value gone and another come: as many values as before.
        delete d.latest.status;
        d.latest.status2 = 'ok';
      },
      () => (d.latest.powerState = 'off'),
      () => (d.lastSeen = '2026-12-01T03:00:02.000Z'),
      () => (d.lastSeen = undefined),
    ]) {
      const before = features.written;
      change();
      expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
      expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
      // Written again once for the change, then kept.
      expect(features.written).toBe(before + 1);
    }
    // The same values in an object of their own: nothing to write again.
    const before = features.written;
    d.latest = { ...d.latest };
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'ok')));
    expect(features.written).toBe(before);
    expect(one(features, d, 'offline')).toBe(collectionOf(expected(d, 'offline', 'offline')));
    expect(one(features, d, 'online')).toBe(collectionOf(expected(d, 'online', 'ok')));
    d.latest.status = 'defectiveLamp';
    expect(one(features, d)).toBe(collectionOf(expected(d, 'online', 'fault')));
    const written = features.written;
    // The same record again, and a copy of it (a head made again, the whole feature with it).
    one(features, d);
    expect(features.written).toBe(written);
    one(features, { ...d });
    expect(features.written).toBe(written + 1);
  });

  it('make a FeatureCollection of the located devices only, foreign members after the features', () => {
    const a = lamp('a');
    const b = { ...lamp('b'), location: undefined };
    const c = { ...lamp('c'), lastSeen: undefined };
    const answer = text(
      new DeviceFeatures(10).collection([a, b, c], online, { numberMatched: 3, numberReturned: 2 }),
    );
    expect(answer).toBe(
      JSON.stringify({
        type: 'FeatureCollection',
        features: [expected(a, 'online', 'ok'), expected(c, 'offline', 'offline')],
        numberMatched: 3,
        numberReturned: 2,
      }),
    );
    expect(text(new DeviceFeatures(1).collection([], online))).toBe(
      '{"type":"FeatureCollection","features":[]}',
    );
  });

  it('keep the heads of at most so many devices, the earliest kept going first', () => {
    const features = new DeviceFeatures(2);
    const [a, b, c] = [lamp('a'), lamp('b'), lamp('c')];
    features.collection([a, b], online);
    expect(features.size).toBe(2);
    features.collection([c], online);
    expect(features.size).toBe(2);
    expect(text(features.collection([a, b, c], online))).toBe(
      collectionOf(...[a, b, c].map((d) => expected(d, 'online', 'ok'))),
    );
  });
});
