import { describe, expect, it } from 'vitest';
import type { Alert, AlertStore } from '../../cloud/alerts/store.ts';

/** The behaviour every AlertStore must have; a new backend calls this with a factory for empty stores. */
export function alertStoreConformance(name: string, createStore: () => AlertStore | Promise<AlertStore>) {
  const alert = (id: string, overrides: Partial<Alert> = {}): Alert => ({
    id,
    ruleId: 'lamp-out',
    ruleName: 'Lamp out',
    severity: 'warning',
    subject: { kind: 'device', id: 'lamp-1', district: 'centrum', deviceKind: 'streetlight' },
    state: 'firing',
    summary: 'Lamp out: lamp-1 in centrum',
    firedAt: '2026-11-22T10:00:00.000Z',
    lastMatchAt: '2026-11-22T10:00:00.000Z',
    ...overrides,
  });

  describe(`AlertStore conformance: ${name}`, () => {
    it('stores an alert with its fired entry, and reads it back', async () => {
      const store = await createStore();
      // A new alert: what later transitions set is not taken from it.
      await store.insert(alert('a1', { assignee: 'eva', resolution: 'x' }), 'rules');
      expect(await store.get('a1')).toEqual({
        ...alert('a1'),
        history: [
          {
            at: '2026-11-22T10:00:00.000Z',
            actor: 'rules',
            action: 'fired',
            detail: { summary: 'Lamp out: lamp-1 in centrum' },
          },
        ],
      });
      expect(await store.get('missing')).toBeUndefined();
    });

    it('applies changes and appends history entries in order', async () => {
      const store = await createStore();
      await store.insert(alert('a1'), 'rules');
      await store.update(
        'a1',
        { state: 'acknowledged', acknowledgedAt: '2026-11-22T10:05:00.000Z', acknowledgedBy: 'ops' },
        { at: '2026-11-22T10:05:00.000Z', actor: 'ops', action: 'acknowledged', detail: { note: undefined } },
      );
      await store.update(
        'a1',
        { assignee: 'eva' },
        { at: '2026-11-22T10:06:00.000Z', actor: 'ops', action: 'assigned' },
      );
      await store.update('a1', { lastMatchAt: '2026-11-22T10:07:00.000Z' });
      const read = await store.get('a1');
      expect(read).toMatchObject({
        state: 'acknowledged',
        acknowledgedAt: '2026-11-22T10:05:00.000Z',
        acknowledgedBy: 'ops',
        assignee: 'eva',
        lastMatchAt: '2026-11-22T10:07:00.000Z',
      });
      expect(read?.history.map((h) => [h.action, h.actor, h.detail])).toEqual([
        ['fired', 'rules', { summary: 'Lamp out: lamp-1 in centrum' }],
        ['acknowledged', 'ops', {}],
        ['assigned', 'ops', undefined],
      ]);
    });

    it('changes of an alert that does not exist change nothing', async () => {
      const store = await createStore();
      await store.update('missing', { severity: 'critical' });
      expect(await store.get('missing')).toBeUndefined();
      expect(await store.list({ limit: 10, offset: 0 })).toEqual({ total: 0, items: [] });
    });

    it('knows the open alert of each rule and subject, from firing through acknowledged to resolved', async () => {
      const store = await createStore();
      await store.insert(alert('a1'), 'rules');
      await store.insert(
        alert('b1', { ruleId: 'bin-full', subject: { kind: 'device', id: 'bin-1' } }),
        'rules',
      );
      expect(store.open('lamp-out', 'lamp-1')?.id).toBe('a1');
      expect(store.open('lamp-out', 'bin-1')).toBeUndefined();
      expect(store.open('bin-full', 'lamp-1')).toBeUndefined();
      expect(
        store
          .allOpen()
          .map((a) => a.id)
          .sort(),
      ).toEqual(['a1', 'b1']);
      await store.update('a1', { state: 'acknowledged' });
      expect(store.open('lamp-out', 'lamp-1')).toMatchObject({ id: 'a1', state: 'acknowledged' });
      await store.update('a1', { state: 'resolved', resolvedAt: '2026-11-22T11:00:00.000Z' });
      expect(store.open('lamp-out', 'lamp-1')).toBeUndefined();
      expect(store.allOpen().map((a) => a.id)).toEqual(['b1']);
    });

    it('knows the rules with an open alert for each subject', async () => {
      const store = await createStore();
      expect([...store.openRules('lamp-1')]).toEqual([]);
      await store.insert(alert('a1'), 'rules');
      await store.insert(alert('a2', { ruleId: 'lamp-dim' }), 'rules');
      await store.insert(
        alert('b1', { ruleId: 'bin-full', subject: { kind: 'device', id: 'bin-1' } }),
        'rules',
      );
      expect([...store.openRules('lamp-1')].sort()).toEqual(['lamp-dim', 'lamp-out']);
      expect([...store.openRules('bin-1')]).toEqual(['bin-full']);
      await store.update('a1', { state: 'acknowledged' });
      expect([...store.openRules('lamp-1')].sort()).toEqual(['lamp-dim', 'lamp-out']);
      // Changed as soon as the write is called (the engine writes behind).
      const resolved = store.update('a1', { state: 'resolved', resolvedAt: '2026-11-22T11:00:00.000Z' });
      expect([...store.openRules('lamp-1')]).toEqual(['lamp-dim']);
      await resolved;
      await store.update('a2', { state: 'resolved', resolvedAt: '2026-11-22T11:00:00.000Z' });
      expect([...store.openRules('lamp-1')]).toEqual([]);
      expect([...store.openRules('bin-1')]).toEqual(['bin-full']);
    });

    it('changes its open alerts as soon as a write is called, before it resolves (the engine writes behind)', async () => {
      const store = await createStore();
      const inserted = store.insert(alert('a1'), 'rules');
      expect(store.open('lamp-out', 'lamp-1')?.id).toBe('a1');
      const acknowledged = store.update('a1', { state: 'acknowledged' });
      expect(store.open('lamp-out', 'lamp-1')?.state).toBe('acknowledged');
      const resolved = store.update('a1', { state: 'resolved', resolvedAt: '2026-11-22T10:05:00.000Z' });
      expect(store.open('lamp-out', 'lamp-1')).toBeUndefined();
      expect(store.allOpen()).toEqual([]);
      await Promise.all([inserted, acknowledged, resolved]);
      // Applied in the order called.
      expect(await store.get('a1')).toMatchObject({
        state: 'resolved',
        resolvedAt: '2026-11-22T10:05:00.000Z',
      });
    });

    it('keeps the newest open alert when a rule has several for one subject (one per occurrence)', async () => {
      const store = await createStore();
      await store.insert(alert('new', { firedAt: '2026-11-22T10:05:00.000Z' }), 'rules');
      await store.insert(alert('old', { firedAt: '2026-11-22T10:00:00.000Z' }), 'rules');
      expect(store.open('lamp-out', 'lamp-1')?.id).toBe('new');
      // Resolving the older one leaves the newer one open.
      await store.update('old', { state: 'resolved', resolvedAt: '2026-11-22T10:06:00.000Z' });
      expect(store.open('lamp-out', 'lamp-1')?.id).toBe('new');
      expect([...store.openRules('lamp-1')]).toEqual(['lamp-out']);
    });

    it('lists alerts newest first, filtered, counted and paged', async () => {
      const store = await createStore();
      const at = (h: number) => `2026-11-22T${String(h).padStart(2, '0')}:00:00.000Z`;
      await store.insert(alert('a', { firedAt: at(8) }), 'rules');
      await store.insert(
        alert('b', { firedAt: at(9), severity: 'critical', state: 'acknowledged' }),
        'rules',
      );
      await store.insert(
        alert('c', {
          firedAt: at(10),
          ruleId: 'bin-full',
          subject: { kind: 'device', id: 'bin-1', district: 'noord', deviceKind: 'wasteBin' },
        }),
        'rules',
      );
      await store.insert(alert('d', { firedAt: at(11), state: 'resolved' }), 'rules');
      await store.insert(alert('e', { firedAt: at(11) }), 'rules');
      const ids = async (query: Partial<Parameters<AlertStore['list']>[0]>) =>
        (await store.list({ limit: 10, offset: 0, ...query })).items.map((a) => a.id);
      expect(await ids({})).toEqual(['d', 'e', 'c', 'b', 'a']);
      expect(await ids({ state: 'open' })).toEqual(['e', 'c', 'b', 'a']);
      expect(await ids({ state: 'resolved' })).toEqual(['d']);
      expect(await ids({ state: 'acknowledged' })).toEqual(['b']);
      expect(await ids({ severity: 'critical' })).toEqual(['b']);
      expect(await ids({ deviceKind: 'wasteBin' })).toEqual(['c']);
      expect(await ids({ district: 'centrum' })).toEqual(['d', 'e', 'b', 'a']);
      expect(await ids({ device: 'bin-1' })).toEqual(['c']);
      expect(await ids({ ruleId: 'lamp-out' })).toEqual(['d', 'e', 'b', 'a']);
      expect(await ids({ from: at(9), to: at(11) })).toEqual(['c', 'b']);
      const page = await store.list({ limit: 2, offset: 1 });
      expect(page.total).toBe(5);
      expect(page.items.map((a) => a.id)).toEqual(['e', 'c']);
      expect((await store.list({ state: 'open', limit: 1, offset: 0 })).total).toBe(4);
    });

    it('summarises a period: transitions in it, alerts open now by severity, the rules that fired most', async () => {
      const store = await createStore();
      await store.insert(alert('before', { firedAt: '2026-11-21T09:00:00.000Z' }), 'rules');
      await store.insert(alert('a1', { firedAt: '2026-11-22T10:00:00.000Z' }), 'rules');
      await store.insert(alert('a2', { firedAt: '2026-11-22T11:00:00.000Z', severity: 'critical' }), 'rules');
      await store.insert(
        alert('b1', {
          firedAt: '2026-11-22T12:00:00.000Z',
          ruleId: 'bin-full',
          ruleName: 'Bin full',
          subject: { kind: 'device', id: 'bin-1' },
        }),
        'rules',
      );
      await store.update(
        'a1',
        { state: 'acknowledged' },
        { at: '2026-11-22T10:30:00.000Z', actor: 'ops', action: 'acknowledged' },
      );
      await store.update(
        'a2',
        { severity: 'critical' },
        { at: '2026-11-22T11:30:00.000Z', actor: 'rules', action: 'escalated' },
      );
      await store.update(
        'before',
        { state: 'resolved', resolvedAt: '2026-11-22T10:00:00.000Z' },
        { at: '2026-11-22T10:00:00.000Z', actor: 'rules', action: 'resolved' },
      );
      // The end of the period is exclusive.
      await store.update('b1', {}, { at: '2026-11-23T00:00:00.000Z', actor: 'ops', action: 'acknowledged' });
      expect(await store.summary('2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')).toEqual({
        from: '2026-11-22T00:00:00.000Z',
        to: '2026-11-23T00:00:00.000Z',
        open: { warning: 2, critical: 1 },
        fired: 3,
        escalated: 1,
        acknowledged: 1,
        resolved: 1,
        topRules: [
          { ruleId: 'lamp-out', ruleName: 'Lamp out', fired: 2 },
          { ruleId: 'bin-full', ruleName: 'Bin full', fired: 1 },
        ],
      });
    });

    it('prunes resolved alerts resolved before a time, with their history, and counts them', async () => {
      const store = await createStore();
      for (const [id, resolvedAt] of [
        ['old', '2026-11-01T00:00:00.000Z'],
        ['edge', '2026-11-10T00:00:00.000Z'],
      ] as const) {
        await store.insert(alert(id), 'rules');
        await store.update(
          id,
          { state: 'resolved', resolvedAt },
          { at: resolvedAt, actor: 'rules', action: 'resolved' },
        );
      }
      await store.insert(alert('open', { firedAt: '2026-10-01T00:00:00.000Z' }), 'rules');
      expect(await store.pruneResolved('2026-11-10T00:00:00.000Z')).toBe(1);
      expect(await store.get('old')).toBeUndefined();
      expect((await store.list({ limit: 10, offset: 0 })).items.map((a) => a.id).sort()).toEqual([
        'edge',
        'open',
      ]);
      expect(await store.summary('2026-11-01T00:00:00.000Z', '2026-11-02T00:00:00.000Z')).toMatchObject({
        resolved: 0,
      });
    });
  });
}
