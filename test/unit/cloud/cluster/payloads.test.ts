import { describe, expect, it } from 'vitest';
import { packItems } from '../../../../cloud/cluster/payloads.ts';

describe('items packed into NATS messages', () => {
  it('fills each JSON array up to the limit, brackets and commas counted, in order', () => {
    // "[a]" is 3 bytes of items of 1 byte; "[a,b]" 5; "[a,b,c]" 7.
    expect(packItems(['1', '2', '3'], 7)).toEqual(['[1,2,3]']);
    expect(packItems(['1', '2', '3'], 6)).toEqual(['[1,2]', '[3]']);
    expect(packItems(['1', '2', '3'], 5)).toEqual(['[1,2]', '[3]']);
    expect(packItems(['1', '2', '3'], 4)).toEqual(['[1]', '[2]', '[3]']);
    expect(packItems([], 10)).toEqual([]);
    for (const payload of packItems(['{"a":1}', '{"b":22}', '"c"'], 12))
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(12);
  });

  it('counts UTF-8 bytes, not characters, and sends an item too large for the limit alone', () => {
    // "Žďár" is 4 characters and 7 bytes; quoted, 9.
    expect(packItems(['"Žďár"', '1'], 11)).toEqual(['["Žďár"]', '[1]']);
    expect(packItems(['"Žďár"', '1'], 13)).toEqual(['["Žďár",1]']);
    expect(packItems(['1', '"far too long"', '2'], 6)).toEqual(['[1]', '["far too long"]', '[2]']);
  });
});
