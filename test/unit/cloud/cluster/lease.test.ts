import { describe, expect, it } from 'vitest';
import { Lease, type LeaseKv } from '../../../../cloud/cluster/lease.ts';

/** A KV bucket as NATS keeps one: entries expire `ttlMs` after they were written; writes conditional on the revision. */
function fakeKv(clock: { now: number }, ttlMs: number) {
  let revision = 0;
  const entries = new Map<string, { value: string; revision: number; at: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    return entry && clock.now < entry.at + ttlMs ? entry : undefined;
  };
  const write = (key: string, value: string) => {
    revision++;
    entries.set(key, { value, revision, at: clock.now });
    return revision;
  };
  const kv: LeaseKv & { down: boolean } = {
    down: false,
    async create(key, value) {
      if (kv.down) throw new Error('no connection');
      if (live(key)) throw new Error(`wrong last sequence: ${live(key)?.revision}`);
      return write(key, value);
    },
    async update(key, value, expected) {
      if (kv.down) throw new Error('no connection');
      if (live(key)?.revision !== expected) throw new Error('wrong last sequence');
      return write(key, value);
    },
    async get(key) {
      if (kv.down) throw new Error('no connection');
      const entry = live(key);
      return entry && { value: entry.value, revision: entry.revision };
    },
    async delete(key) {
      entries.delete(key);
    },
  };
  return kv;
}

function twoNodes(ttlMs = 9_000) {
  const clock = { now: 1_000_000 };
  const kv = fakeKv(clock, ttlMs);
  const lease = (holder: string) => new Lease({ kv, key: 'tenant', holder, ttlMs, now: () => clock.now });
  return { clock, kv, a: lease('a'), b: lease('b') };
}

describe('the rules lease', () => {
  it('is taken by one node; the other waits', async () => {
    const { a, b } = twoNodes();
    expect(a.holds()).toBe(false);
    expect(await a.step()).toBe('acquired');
    expect(await b.step()).toBe('waiting');
    expect(a.holds()).toBe(true);
    expect(b.holds()).toBe(false);
  });

  it('is kept by renewing it; the other never gets it meanwhile', async () => {
    const { clock, a, b } = twoNodes();
    await a.step();
    for (let i = 0; i < 10; i++) {
      clock.now += 3_000;
      expect(await a.step()).toBe('renewed');
      expect(await b.step()).toBe('waiting');
    }
    expect(a.holds()).toBe(true);
  });

  it('held until the lease time after the last renewal was sent, not a millisecond longer', async () => {
    const { clock, kv, a } = twoNodes();
    await a.step();
    clock.now += 3_000;
    const sent = clock.now;
    await a.step();
    kv.down = true;
    clock.now = sent + 8_999;
    expect(a.holds()).toBe(true);
    clock.now = sent + 9_000;
    expect(a.holds()).toBe(false);
    expect(await a.step()).toBe('lost');
  });

  it('frees itself when its holder dies: the other takes it after the lease time, not before', async () => {
    const { clock, a, b } = twoNodes();
    await a.step();
    clock.now += 8_999;
    expect(await b.step()).toBe('waiting');
    clock.now += 1;
    expect(await b.step()).toBe('acquired');
    expect(b.holds()).toBe(true);
    // The old holder, back, finds it gone.
    expect(a.holds()).toBe(false);
    expect(await a.step()).toBe('lost');
    expect(await a.step()).toBe('waiting');
  });

  it('is dropped at once when a renewal fails, and taken back while its own entry is still there', async () => {
    const { clock, kv, a, b } = twoNodes();
    await a.step();
    kv.down = true;
    clock.now += 3_000;
    expect(await a.step()).toBe('lost');
    expect(a.holds()).toBe(false);
    kv.down = false;
    expect(await b.step()).toBe('waiting');
    expect(await a.step()).toBe('acquired');
    expect(a.holds()).toBe(true);
    clock.now += 3_000;
    expect(await a.step()).toBe('renewed');
  });

  it('released on a clean stop: the other takes it at once', async () => {
    const { a, b } = twoNodes();
    await a.step();
    await a.release();
    expect(a.holds()).toBe(false);
    expect(await b.step()).toBe('acquired');
  });

  it('released past its time, does not delete the entry another node wrote since', async () => {
    const { clock, a, b } = twoNodes();
    await a.step();
    clock.now += 9_000;
    await b.step();
    await a.release();
    expect(await a.step()).toBe('waiting');
    clock.now += 3_000;
    expect(await b.step()).toBe('renewed');
  });
});
