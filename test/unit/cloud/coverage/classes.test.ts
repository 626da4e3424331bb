import { describe, expect, it } from 'vitest';
import { classify, rsrpClass, sinrClass, worse } from '../../../../cloud/coverage/classes.ts';

describe('coverage classes', () => {
  it('RSRP: each bound belongs to the better class', () => {
    expect(rsrpClass(-31)).toBe('good');
    expect(rsrpClass(-95)).toBe('good');
    expect(rsrpClass(-95.01)).toBe('fair');
    expect(rsrpClass(-105)).toBe('fair');
    expect(rsrpClass(-105.01)).toBe('poor');
    expect(rsrpClass(-115)).toBe('poor');
    expect(rsrpClass(-115.01)).toBe('none');
    expect(rsrpClass(-156)).toBe('none');
  });

  it('SINR: good from 13 dB, fair from 0, poor below, never none', () => {
    expect(sinrClass(50)).toBe('good');
    expect(sinrClass(13)).toBe('good');
    expect(sinrClass(12.99)).toBe('fair');
    expect(sinrClass(0)).toBe('fair');
    expect(sinrClass(-0.01)).toBe('poor');
    expect(sinrClass(-30)).toBe('poor');
  });

  it('worse picks the lower class whichever way round', () => {
    expect(worse('good', 'poor')).toBe('poor');
    expect(worse('none', 'fair')).toBe('none');
    expect(worse('fair', 'fair')).toBe('fair');
  });

  it('judges on the figure asked for, the worse of both by default, and not at all without it', () => {
    const means = { rsrp: -90, sinr: -1 };
    expect(classify(means, 'both')).toBe('poor');
    expect(classify(means, 'rsrp')).toBe('good');
    expect(classify(means, 'sinr')).toBe('poor');
    expect(classify({ rsrp: -120 }, 'both')).toBe('none');
    expect(classify({ sinr: 20 }, 'both')).toBe('good');
    expect(classify({ sinr: 20 }, 'rsrp')).toBeUndefined();
    expect(classify({ rsrp: -80 }, 'sinr')).toBeUndefined();
    expect(classify({}, 'both')).toBeUndefined();
  });
});
