import { describe, expect, it } from 'vitest';
import { type Bbox, bboxParam, inBbox, narrow, widen } from '../../../../cloud/live/bbox.ts';

describe('bbox parameter', () => {
  it.each([
    ['3.7,51.0,3.8,51.1', [3.7, 51, 3.8, 51.1]],
    ['-180,-90,180,90', [-180, -90, 180, 90]],
    ['0,0,0,0', [0, 0, 0, 0]],
    ['170,-10,-170,10', [170, -10, -170, 10]],
    ['-0.5,51.12345678901,0.5,52', [-0.5, 51.12345678901, 0.5, 52]],
  ])('accepts %s', (text, box) => {
    expect(bboxParam.parse(text)).toEqual(box);
  });

  it.each([
    ['1,2,3', 'four numbers'],
    ['1,2,3,4,5', 'four numbers'],
    ['a,b,c,d', 'four numbers'],
    ['1e2,0,1,1', 'four numbers'],
    ['Infinity,0,1,1', 'four numbers'],
    [' ,0,1,1', 'four numbers'],
    ['-180.0001,0,1,1', 'longitudes'],
    ['0,0,180.5,1', 'longitudes'],
    ['0,-90.01,1,1', 'latitudes'],
    ['0,0,1,90.01', 'latitudes'],
    ['0,10,1,9.999', 'south'],
  ])('refuses %s (%s)', (text, message) => {
    const result = bboxParam.safeParse(text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain(message);
  });
});

describe('inBbox', () => {
  const gent: Bbox = [3.6, 51.0, 3.8, 51.1];
  const pacific: Bbox = [170, -10, -170, 10];
  it.each([
    [gent, 3.7, 51.05, true],
    [gent, 3.6, 51.0, true],
    [gent, 3.8, 51.1, true],
    [gent, 3.5999, 51.05, false],
    [gent, 3.7, 51.1001, false],
    [pacific, 175, 0, true],
    [pacific, -175, 0, true],
    [pacific, 180, 0, true],
    [pacific, -180, 0, true],
    [pacific, 0, 0, false],
    [pacific, 169.9, 0, false],
    [pacific, 175, 10.1, false],
  ])('%j holds (%d, %d): %s', (box, lon, lat, inside) => {
    expect(inBbox(box, lon, lat)).toBe(inside);
  });
});

describe('widen', () => {
  it.each([
    [
      [3.6, 51, 3.8, 51.1],
      [3.5, 50.9, 3.9, 51.2],
    ],
    [
      [-180, -90, 180, 90],
      [-180, -90, 180, 90],
    ],
    [
      [179.95, 0, 180, 1],
      [179.85, -0.1, -179.9, 1.1],
    ],
    [
      [170, -10, -170, 10],
      [169.9, -10.1, -169.9, 10.1],
    ],
  ] as [Bbox, Bbox][])('%j by 0.1 is %j', (box, wide) => {
    for (const [i, v] of widen(box, 0.1).entries()) expect(v).toBeCloseTo(wide[i] as number, 9);
  });
});

describe('narrow', () => {
  it('moves every edge in by the margin, down to a single point', () => {
    expect(narrow([14, 50, 15, 51], 0.25)).toEqual([14.25, 50.25, 14.75, 50.75]);
    expect(narrow([14, 50, 14.5, 51], 0.25)).toEqual([14.25, 50.25, 14.25, 50.75]);
    expect(narrow([14, 50, 15, 50.5], 0.25)).toEqual([14.25, 50.25, 14.75, 50.25]);
  });

  it('leaves nothing of a box narrower or lower than twice the margin, nor of one across the antimeridian', () => {
    expect(narrow([14, 50, 14.4, 51], 0.25)).toBeUndefined();
    expect(narrow([14, 50, 15, 50.4], 0.25)).toBeUndefined();
    expect(narrow([170, 50, -170, 51], 0.25)).toBeUndefined();
    expect(narrow([14, 50, 14, 50], 0)).toEqual([14, 50, 14, 50]);
  });
});
