import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../cloud/access/audit.ts';

/** The behaviour every AuditLog must have; a new backend calls this with a factory for empty logs. */
export function auditLogConformance(name: string, createLog: () => AuditLog | Promise<AuditLog>) {
  const entry = (n: number) => ({
    at: `2026-11-22T10:00:0${n}.000Z`,
    actor: 'ops',
    action: 'rule.update',
    target: `rule-${n}`,
    before: { value: n - 1, nested: { list: [1, 'two'] } },
    after: { value: n },
  });

  describe(`AuditLog conformance: ${name}`, () => {
    it('records entries and lists them newest first, counted and paged', async () => {
      const log = await createLog();
      for (let n = 1; n <= 4; n++) await log.record(entry(n));
      const all = await log.list(10, 0);
      expect(all.total).toBe(4);
      expect(all.items.map((e) => e.target)).toEqual(['rule-4', 'rule-3', 'rule-2', 'rule-1']);
      expect(all.items[3]).toEqual({ id: expect.any(Number), ...entry(1) });
      const ids = all.items.map((e) => e.id);
      expect(new Set(ids).size).toBe(4);
      expect([...ids].sort((a, b) => b - a)).toEqual(ids);
      const page = await log.list(2, 1);
      expect(page.total).toBe(4);
      expect(page.items.map((e) => e.target)).toEqual(['rule-3', 'rule-2']);
    });

    it('gives back null for a state before or after that was not given', async () => {
      const log = await createLog();
      await log.record({
        at: '2026-11-22T10:00:00.000Z',
        actor: 'ops',
        action: 'rule.create',
        target: 'r',
        before: null,
        after: undefined,
      });
      expect((await log.list(1, 0)).items[0]).toMatchObject({ before: null, after: null });
    });

    it('prunes entries recorded before a time, counts them, and keeps the rest in order', async () => {
      const log = await createLog();
      for (let n = 1; n <= 4; n++) await log.record(entry(n));
      expect(await log.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(2);
      const kept = await log.list(10, 0);
      expect([kept.total, kept.items.map((e) => e.target)]).toEqual([2, ['rule-4', 'rule-3']]);
      expect(await log.pruneBefore('2026-11-22T10:00:03.000Z')).toBe(0);
      await log.record(entry(5));
      expect((await log.list(1, 0)).items[0]?.id).toBeGreaterThan(kept.items[0]?.id ?? 0);
    });
  });
}
