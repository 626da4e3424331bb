import type { Client } from 'aedes';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HeldPublishes } from '../../../../cloud/broker/held-publishes.ts';
import { ReadPauses } from '../../../../cloud/broker/read-pauses.ts';

/** The part of an aedes client ReadPauses works on; `_paused` says whether its reads are held. */
function fakeClient() {
  const client = { id: 'gw-1', _paused: false, _nextBatch: () => undefined };
  const reads = new ReadPauses();
  reads.track(client as unknown as Client);
  return { client, asClient: client as unknown as Client, held: new HeldPublishes(reads, 1_000) };
}

describe('HeldPublishes', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("holds a client's reads once a publish has waited for storage for answerPingsAfterMs, and releases them when the last settles", () => {
    const { client, asClient, held } = fakeClient();
    held.add(asClient);
    held.add(asClient);
    vi.advanceTimersByTime(999);
    expect(client._paused).toBe(false);
    vi.advanceTimersByTime(1);
    expect(client._paused).toBe(true);
    expect(held.isHeld(asClient)).toBe(true);
    held.settle(asClient);
    expect(client._paused).toBe(true);
    held.settle(asClient);
    expect(client._paused).toBe(false);
    expect(held.isHeld(asClient)).toBe(false);
  });

  it('never holds reads for publishes that settle in time', () => {
    const { client, asClient, held } = fakeClient();
    held.add(asClient);
    held.settle(asClient);
    vi.advanceTimersByTime(5_000);
    expect(client._paused).toBe(false);
  });

  it('holds the reads at once when a publish waits for room in its journal, and only once', () => {
    const { client, asClient, held } = fakeClient();
    held.add(asClient);
    held.add(asClient);
    held.holdNow(asClient);
    expect(client._paused).toBe(true);
    held.add(asClient);
    held.holdNow(asClient);
    vi.advanceTimersByTime(5_000);
    held.settle(asClient);
    held.settle(asClient);
    expect(client._paused).toBe(true);
    held.settle(asClient);
    expect(client._paused).toBe(false);
    // Held once, released once: the next wait starts over.
    held.add(asClient);
    expect(client._paused).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(client._paused).toBe(true);
  });

  it('holds nothing at once for a client with no publish waiting', () => {
    const { client, asClient, held } = fakeClient();
    held.holdNow(asClient);
    expect(client._paused).toBe(false);
    held.add(asClient);
    held.settle(asClient);
    held.holdNow(asClient);
    expect(client._paused).toBe(false);
    expect(held.isHeld(asClient)).toBe(false);
  });
});
