import { describe, expect, it } from 'vitest';
import { batchToPoints, functionNodeBody } from '../../../bench/peer-points.ts';

const batch = {
  v: 1,
  gatewayId: 'gw-1',
  sentAt: '2026-11-30T10:00:00.000Z',
  batchId: 'b-1',
  readings: [
    {
      deviceId: 'sl-1',
      kind: 'streetlight',
      ts: '2026-11-30T09:59:59.250Z',
      metrics: { power: 12.5, on: true },
    },
    { deviceId: 'wb-2', kind: 'wasteBin', ts: '2026-11-30T09:59:58.000Z', metrics: { fillingLevel: 0.4 } },
  ],
};
const expected = [
  {
    measurement: 'streetlight',
    tags: { device: 'sl-1', gateway: 'gw-1', kind: 'streetlight' },
    fields: { power: 12.5, on: true },
    timestamp: Date.UTC(2026, 10, 30, 9, 59, 59, 250),
  },
  {
    measurement: 'wasteBin',
    tags: { device: 'wb-2', gateway: 'gw-1', kind: 'wasteBin' },
    fields: { fillingLevel: 0.4 },
    timestamp: Date.UTC(2026, 10, 30, 9, 59, 58),
  },
];

describe('the peer and bridge conversion of a telemetry batch', () => {
  it('makes one point per reading, from an object or from its JSON text', () => {
    expect(batchToPoints(batch)).toEqual(expected);
    expect(batchToPoints(JSON.stringify(batch))).toEqual(expected);
  });

  it('is also the body of the Node-RED function node, which replaces msg.payload', () => {
    const node = new Function('msg', functionNodeBody) as (msg: { payload: unknown }) => { payload: unknown };
    expect(node({ payload: batch }).payload).toEqual(expected);
  });
});
