import { describe, expect, it } from 'vitest';
import { describeLines, describePayload, shapeLimits } from '../../../../cloud/dead-letters/shape.ts';

const json = (value: unknown) => describePayload(Buffer.from(JSON.stringify(value)));

describe('describePayload', () => {
  it('keeps keys and value types, never values', () => {
    const payload = {
      v: 1,
      gatewayId: 'gw-1',
      readings: [
        {
          deviceId: 'cam-1',
          kind: 'camera',
          metrics: { peopleCount: 3, tamperDetected: false, reason: null },
        },
        {
          deviceId: 'cam-2',
          kind: 'camera',
          metrics: { peopleCount: 4, tamperDetected: true, reason: null },
        },
        { deviceId: 'cam-3', kind: 'camera', metrics: { peopleCount: 'many' } },
      ],
    };
    expect(json(payload)).toEqual({
      format: 'json',
      shape: {
        object: {
          v: 'number',
          gatewayId: 'string',
          readings: {
            length: 3,
            array: [
              {
                object: {
                  deviceId: 'string',
                  kind: 'string',
                  metrics: { object: { peopleCount: 'number', tamperDetected: 'boolean', reason: 'null' } },
                },
              },
              {
                object: {
                  deviceId: 'string',
                  kind: 'string',
                  metrics: { object: { peopleCount: 'string' } },
                },
              },
            ],
          },
        },
      },
    });
    expect(JSON.stringify(json(payload))).not.toMatch(/gw-1|cam-|many/);
  });

  it('counts keys outside the contract instead of keeping them, and does not describe their values', () => {
    const shape = json({
      gatewayId: 'gw-1',
      'AB:CD:EF:12:34:56': { plate: '1AB 2345' },
      faceEmbedding: [0.1],
    });
    expect(shape).toEqual({ format: 'json', shape: { object: { gatewayId: 'string' }, otherKeys: 2 } });
    expect(JSON.stringify(shape)).not.toMatch(/AB:CD|plate|face/);
  });

  it('names what is not JSON: invalid UTF-8, invalid JSON (a BOM included), too big to parse', () => {
    expect(describePayload(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({ format: 'invalid-utf8' });
    expect(describePayload(Buffer.from('{"plate":"1AB 2345",}'))).toEqual({ format: 'invalid-json' });
    expect(describePayload(Buffer.from('\ufeff{}'))).toEqual({ format: 'invalid-json' });
    expect(describePayload(Buffer.from(''))).toEqual({ format: 'invalid-json' });
    expect(describePayload(Buffer.alloc(shapeLimits.parseBytes + 1, 0x20))).toEqual({ format: 'bytes' });
    expect(describeLines(['a x=1 1', 'b y=2 2'])).toEqual({ format: 'lines', lines: 2 });
  });

  it('stops at its depth and size bounds and says so', () => {
    const deep = describePayload(Buffer.from(`${'['.repeat(10_000)}${']'.repeat(10_000)}`));
    expect(deep).toMatchObject({ format: 'json', truncated: true });
    expect(JSON.stringify(deep).length).toBeLessThan(1_000);
    const wide = json({
      readings: Array.from({ length: 1_000 }, (_, i) => ({ [`k${i}`]: i, v: [i, `${i}`] })),
    });
    expect(wide).toMatchObject({ format: 'json', truncated: true });
    expect(JSON.stringify(wide).length).toBeLessThan(2_000);
    const distinct = json({ readings: [1, 'a', true, null, {}, [], { v: 1 }] });
    expect(distinct).toMatchObject({ shape: { object: { readings: { length: 7 } } } });
    if (distinct.format !== 'json' || typeof distinct.shape !== 'object' || !('object' in distinct.shape))
      throw new Error('expected an object shape');
    expect((distinct.shape.object.readings as { array: unknown[] }).array).toHaveLength(
      shapeLimits.distinctElements,
    );
  });
});
