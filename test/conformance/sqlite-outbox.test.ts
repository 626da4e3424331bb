import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { OutboxLimits } from '../../edge/outbox/outbox.ts';
import { SqliteOutbox } from '../../edge/outbox/sqlite-outbox.ts';
import { outboxConformance } from './outbox.ts';
import { items, NOW, ns, roomy, tsOf } from './outbox-items.ts';

outboxConformance('SQLite', (limits) => new SqliteOutbox(':memory:', limits));

const dir = mkdtempSync(join(tmpdir(), 'edge-outbox-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
/** A fresh database file in a directory that does not exist yet (the outbox creates it). */
const freshPath = () => join(dir, `run-${++counter}`, 'outbox.db');

const open: SqliteOutbox[] = [];
function outbox(path: string, limits: OutboxLimits = roomy): SqliteOutbox {
  const created = new SqliteOutbox(path, limits);
  open.push(created);
  return created;
}
function close(o: SqliteOutbox): void {
  open.splice(open.indexOf(o), 1);
  o.close();
}
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

describe('SqliteOutbox: durability', () => {
  it('creates the directory of its file', () => {
    const path = freshPath();
    const o = outbox(path);
    o.push('telemetry', items(0, 1), NOW);
    expect(o.depth).toBe(1);
  });

  it('resends an unacknowledged batch after a restart with the same id and items, then the rest', () => {
    const path = freshPath();
    const before = outbox(path);
    before.push('telemetry', items(0, 3), NOW);
    before.push('events', items(3, 1), NOW);
    const sent = before.next(2);
    const acked = before.next(2);
    expect(ns(acked)).toEqual([2]);
    before.ack(acked?.id ?? '');
    before.push('telemetry', items(4, 2), NOW);
    close(before);

    const after = outbox(path);
    expect(after.depth).toBe(5);
    expect(after.inFlightCount).toBe(0);
    const resent = after.next(10);
    expect(resent).toEqual(sent);
    const following = [after.next(10), after.next(10)];
    expect(following.map((b) => [b?.channel, ns(b)])).toEqual([
      ['events', [3]],
      ['telemetry', [4, 5]],
    ]);
    expect(following.map((b) => b?.id)).not.toContain(sent?.id);
    expect(following.map((b) => b?.id)).not.toContain(acked?.id);
    expect(after.next(10)).toBeUndefined();
  });

  it('keeps the batch ids of one file unique across restarts', () => {
    const path = freshPath();
    const ids: string[] = [];
    for (let run = 0; run < 3; run++) {
      const o = outbox(path);
      o.push('telemetry', items(run, 1), NOW);
      const batch = o.next(10);
      ids.push(batch?.id ?? '');
      o.ack(batch?.id ?? '');
      close(o);
    }
    expect(new Set(ids).size).toBe(3);
  });

  it('keeps the gap across a restart and keeps adding to it', () => {
    const path = freshPath();
    const before = outbox(path, { ...roomy, maxItems: 2 });
    before.push('telemetry', items(0, 3), NOW);
    expect(before.gap).toEqual({ count: 1, from: tsOf(0), to: tsOf(0) });
    close(before);

    const after = outbox(path, { ...roomy, maxItems: 2 });
    expect(after.gap).toEqual({ count: 1, from: tsOf(0), to: tsOf(0) });
    expect(after.depth).toBe(2);
    after.push('telemetry', items(3, 1), NOW);
    expect(after.gap).toEqual({ count: 2, from: tsOf(0), to: tsOf(1) });
    expect(ns(after.next(10))).toEqual([2, 3]);
  });

  it('prefixes batch ids per outbox, so two outbox files never share a batch id', () => {
    const a = outbox(freshPath());
    const b = outbox(freshPath());
    a.push('telemetry', items(0, 2), NOW);
    b.push('telemetry', items(0, 2), NOW);
    const batchA = a.next(10);
    const batchB = b.next(10);
    expect(batchA?.items).toEqual(batchB?.items);
    expect(batchA?.id).not.toBe(batchB?.id);
    const prefix = (id: string | undefined) => id?.slice(0, id.lastIndexOf('-'));
    expect(prefix(batchA?.id)).not.toBe(prefix(batchB?.id));
    expect(batchA?.id.length).toBeLessThanOrEqual(64);
  });
});
