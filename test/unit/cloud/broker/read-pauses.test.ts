import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { ReadPauses } from '../../../../cloud/broker/read-pauses.ts';

/** The part of an aedes client ReadPauses works on: `_nextBatch` counts the calls that reach aedes. */
function fakeClient() {
  const reached: (Error | undefined)[] = [];
  const client = { id: 'gw-1', _paused: false, _nextBatch: (error?: Error) => void reached.push(error) };
  return { client, reached, asClient: client as unknown as Client };
}

describe('ReadPauses', () => {
  it('passes the calls of handled packets through while the client is not held', () => {
    const { client, reached, asClient } = fakeClient();
    new ReadPauses().track(asClient);
    client._nextBatch();
    expect(reached).toEqual([undefined]);
  });

  it('holds the reading and keeps the calls of packets handled meanwhile, giving them back at the last release', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    reads.hold(asClient);
    reads.hold(asClient);
    expect(client._paused).toBe(true);
    client._nextBatch();
    client._nextBatch();
    reads.release(asClient);
    expect(client._paused).toBe(true);
    expect(reached).toEqual([]);
    client._nextBatch();
    reads.release(asClient);
    expect(client._paused).toBe(false);
    expect(reached).toEqual([undefined, undefined, undefined]);
    reads.release(asClient);
    expect(reached).toHaveLength(3);
  });

  it('passes an error through at once, even while held', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    reads.hold(asClient);
    const error = new Error('bad packet');
    client._nextBatch(error);
    expect(reached).toEqual([error]);
  });

  it("reads ahead: passes a call on at once and drops the packet's own call when it comes", () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    expect(reads.readAhead(asClient, 1)).toBe(true);
    expect(reached).toEqual([undefined]);
    client._nextBatch();
    expect(reached).toEqual([undefined]);
    client._nextBatch();
    expect(reached).toEqual([undefined, undefined]);
  });

  it('reads ahead of at most `limit` packets at a time, and again once one of them is done', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    expect(reads.readAhead(asClient, 2)).toBe(true);
    expect(reads.readAhead(asClient, 2)).toBe(true);
    expect(reads.readAhead(asClient, 2)).toBe(false);
    expect(reached).toHaveLength(2);
    client._nextBatch();
    expect(reads.readAhead(asClient, 2)).toBe(true);
    expect(reads.readAhead(asClient, 2)).toBe(false);
    expect(reached).toHaveLength(3);
  });

  it('does not read ahead while the client is held, nor for an untracked client', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    expect(reads.readAhead(asClient, 8)).toBe(false);
    reads.track(asClient);
    reads.hold(asClient);
    expect(reads.readAhead(asClient, 8)).toBe(false);
    expect(reached).toEqual([]);
    reads.release(asClient);
    client._nextBatch();
    expect(reached).toEqual([undefined]);
  });

  it('drops the own call of a packet read past even when it comes while the client is held', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    reads.readAhead(asClient, 8);
    reads.hold(asClient);
    client._nextBatch();
    reads.release(asClient);
    expect(reached).toEqual([undefined]);
  });

  it('passes an error through at once while packets are read past, and still drops their own calls', () => {
    const { client, reached, asClient } = fakeClient();
    const reads = new ReadPauses();
    reads.track(asClient);
    reads.readAhead(asClient, 8);
    const error = new Error('bad packet');
    client._nextBatch(error);
    client._nextBatch();
    expect(reached).toEqual([undefined, error]);
  });

  it('refuses to track a client without the internals it relies on', () => {
    expect(() => new ReadPauses().track({ id: 'x' } as unknown as Client)).toThrow(/no _nextBatch/);
  });
});
