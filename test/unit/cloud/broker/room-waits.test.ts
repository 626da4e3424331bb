import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RoomWaits } from '../../../../cloud/broker/room-waits.ts';

/** Journals whose room the test sets; `applied` lists what ran, in order. */
function rooms() {
  const room = new Map<string, boolean>();
  const applied: string[] = [];
  const waits = new RoomWaits((tenant) => room.get(tenant) ?? true, 20);
  const admit = (tenant: string, name: string) => waits.admit(tenant, () => applied.push(name));
  return { room, applied, waits, admit };
}

describe('RoomWaits', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('applies at once while the journal has room and nothing waits', () => {
    const { applied, admit } = rooms();
    expect(admit('brno', 'm1')).toBe(false);
    expect(applied).toEqual(['m1']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('keeps messages while the journal has no room, and applies them in order once it has', () => {
    const { room, applied, admit } = rooms();
    room.set('brno', false);
    expect(admit('brno', 'm1')).toBe(true);
    expect(admit('brno', 'm2')).toBe(true);
    vi.advanceTimersByTime(100);
    expect(applied).toEqual([]);
    room.set('brno', true);
    // Room came, but m1 and m2 wait: m3 goes after them, not before.
    expect(admit('brno', 'm3')).toBe(true);
    vi.advanceTimersByTime(19);
    expect(applied).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(applied).toEqual(['m1', 'm2', 'm3']);
    expect(vi.getTimerCount()).toBe(0);
    expect(admit('brno', 'm4')).toBe(false);
    expect(applied).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('stops applying when the journal is out of room again halfway, and goes on when it has room', () => {
    const room = new Map([['brno', false]]);
    const applied: string[] = [];
    const waits = new RoomWaits((tenant) => room.get(tenant) ?? true, 20);
    // m1 fills the journal again: m2 and m3 wait on.
    waits.admit('brno', () => {
      applied.push('m1');
      room.set('brno', false);
    });
    waits.admit('brno', () => applied.push('m2'));
    waits.admit('brno', () => applied.push('m3'));
    room.set('brno', true);
    vi.advanceTimersByTime(20);
    expect(applied).toEqual(['m1']);
    room.set('brno', true);
    vi.advanceTimersByTime(20);
    expect(applied).toEqual(['m1', 'm2', 'm3']);
  });

  it("one tenant's journal without room keeps only its own messages waiting", () => {
    const { room, applied, admit } = rooms();
    room.set('brno', false);
    admit('brno', 'b1');
    expect(admit('jihlava', 'j1')).toBe(false);
    expect(applied).toEqual(['j1']);
    room.set('brno', true);
    vi.advanceTimersByTime(20);
    expect(applied).toEqual(['j1', 'b1']);
  });

  it('drops what waits at close, and leaves no timer', () => {
    const { room, applied, waits, admit } = rooms();
    room.set('brno', false);
    admit('brno', 'm1');
    waits.close();
    room.set('brno', true);
    vi.advanceTimersByTime(100);
    expect(applied).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
