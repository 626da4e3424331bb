import { describe, expect, it } from 'vitest';
import { isValidIco, publicBodyIri } from '../../../shared/ico.ts';

describe('an IČO', () => {
  it('accepts real ones, and a check digit of each remainder rule', () => {
    // Karlovy Vary (remainder 4: 11 − 4 = 7), Praha (remainder 0 → 1), Brno (6 → 5), ČSÚ (8 → 3).
    for (const ico of ['00254657', '00064581', '44992785', '00025593'])
      expect(isValidIco(ico), ico).toBe(true);
    // Remainder 1 → 0 (6 × 2 = 12), and 10 → 1 (5 × 2).
    expect(isValidIco('00000060')).toBe(true);
    expect(isValidIco('00000051')).toBe(true);
    expect(isValidIco('00000061')).toBe(false);
  });

  it('refuses a wrong check digit, each digit changed, and what is not 8 digits', () => {
    expect(isValidIco('00254658')).toBe(false);
    expect(isValidIco('00064580')).toBe(false);
    expect(isValidIco('00025591')).toBe(false);
    // Changing any one of the weighted digits breaks the sum (its weight is not a multiple of 11).
    for (let i = 0; i < 7; i++) {
      const changed = [...'00254657'];
      changed[i] = String((Number(changed[i]) + 1) % 10);
      expect(isValidIco(changed.join('')), changed.join('')).toBe(false);
    }
    for (const text of ['0025465', '002546570', '0025465a', ' 00254657', '', '0025-4657'])
      expect(isValidIco(text), text).toBe(false);
  });

  it('names the public body in the RPP register', () => {
    expect(publicBodyIri('00254657')).toBe(
      'https://rpp-opendata.egon.gov.cz/odrpp/zdroj/orgán-veřejné-moci/00254657',
    );
  });
});
