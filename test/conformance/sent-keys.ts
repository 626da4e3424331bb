import { describe, expect, it } from 'vitest';
import type { SentKeys } from '../../cloud/notifications/sent-keys.ts';

/** The behaviour every SentKeys must have; a new backend calls this with a factory for empty stores. */
export function sentKeysConformance(name: string, createKeys: () => SentKeys | Promise<SentKeys>) {
  const key = { subjectId: 'alert-1', transition: 'fired', channel: 'ops' };
  const at = (second: number) => `2026-11-30T10:00:0${second}.000Z`;

  describe(`SentKeys conformance: ${name}`, () => {
    it('claims a key once: a second claim is refused, another transition or channel is not', async () => {
      const keys = await createKeys();
      expect(await keys.state(key)).toBeUndefined();
      expect(await keys.claim(key, at(1))).toBe(true);
      expect(await keys.state(key)).toBe('sending');
      expect(await keys.claim(key, at(2))).toBe(false);
      expect(await keys.claim({ ...key, transition: 'resolved' }, at(2))).toBe(true);
      expect(await keys.claim({ ...key, channel: 'city' }, at(2))).toBe(true);
      expect(await keys.claim({ ...key, subjectId: 'alert-2' }, at(2))).toBe(true);
    });

    it('settles a claimed key as sent or failed, and a settled key stays claimed', async () => {
      const keys = await createKeys();
      await keys.claim(key, at(1));
      await keys.settle(key, 'sent', at(2));
      expect(await keys.state(key)).toBe('sent');
      expect(await keys.claim(key, at(3))).toBe(false);
      const other = { ...key, channel: 'city' };
      await keys.claim(other, at(1));
      await keys.settle(other, 'failed', at(2));
      expect(await keys.state(other)).toBe('failed');
      await keys.settle({ ...key, subjectId: 'never-claimed' }, 'sent', at(2));
      expect(await keys.state({ ...key, subjectId: 'never-claimed' })).toBeUndefined();
    });

    it('of many claims of one key at once, exactly one wins', async () => {
      const keys = await createKeys();
      const won = await Promise.all(Array.from({ length: 5 }, () => keys.claim(key, at(1))));
      expect(won.filter(Boolean)).toHaveLength(1);
    });

    it('prunes keys claimed before a time and counts them; a pruned key can be claimed again', async () => {
      const keys = await createKeys();
      await keys.claim(key, at(1));
      await keys.claim({ ...key, channel: 'city' }, at(2));
      await keys.claim({ ...key, channel: 'bus' }, at(3));
      expect(await keys.pruneBefore(at(3))).toBe(2);
      expect(await keys.state(key)).toBeUndefined();
      expect(await keys.state({ ...key, channel: 'bus' })).toBe('sending');
      expect(await keys.pruneBefore(at(3))).toBe(0);
      expect(await keys.claim(key, at(4))).toBe(true);
    });
  });
}
