import { describe, expect, it } from 'vitest';
import { toDevice } from '../../../../cloud/registry/rows.ts';
import { noLatest } from '../../../../cloud/registry/store.ts';

const row = {
  id: 'bin-1',
  kind: 'wasteBin',
  gateway_id: 'gw-1',
  district: 'centrum',
  lat: null,
  lon: null,
  name: null,
  provisioned: 1,
  first_seen: null,
  last_seen: null,
  latest: '{}',
  latest_ts: null,
};

describe('a device row', () => {
  it('becomes a record without the fields it leaves empty, sharing the empty latest values', () => {
    const device = toDevice(row);
    expect(Object.keys(device).sort()).toEqual([
      'district',
      'gatewayId',
      'id',
      'kind',
      'latest',
      'provisioned',
    ]);
    expect(device.latest).toBe(noLatest);
  });

  it('keeps every field it has', () => {
    const full = {
      ...row,
      lat: 51.05,
      lon: 3.72,
      name: 'Korenmarkt',
      provisioned: 0,
      first_seen: '2026-11-30T10:00:00.000Z',
      last_seen: '2026-11-30T11:00:00.000Z',
      latest: '{"fillingLevel":40}',
      latest_ts: '2026-11-30T11:00:00.000Z',
    };
    expect(toDevice(full)).toEqual({
      id: 'bin-1',
      kind: 'wasteBin',
      gatewayId: 'gw-1',
      district: 'centrum',
      location: { lat: 51.05, lon: 3.72 },
      name: 'Korenmarkt',
      provisioned: false,
      firstSeen: '2026-11-30T10:00:00.000Z',
      lastSeen: '2026-11-30T11:00:00.000Z',
      latest: { fillingLevel: 40 },
      latestTs: '2026-11-30T11:00:00.000Z',
    });
  });
});
