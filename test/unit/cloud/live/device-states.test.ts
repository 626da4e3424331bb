import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../../cloud/alerts/store.ts';
import { DeviceStates, walkEvery } from '../../../../cloud/live/device-states.ts';
import { rankOf } from '../../../../cloud/live/map-state.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';
import type { AlertSeverity } from '../../../../shared/severity.ts';

const record = (id: string, lastSeen?: string): DeviceRecord => ({
  id,
  kind: 'wasteBin',
  gatewayId: 'gw-1',
  district: 'centrum',
  provisioned: true,
  latest: {},
  lastSeen,
});

function setUp(records: DeviceRecord[]) {
  let since = '2026-11-22T12:00:00.000Z';
  /** What the registry says changed connectivity since the last sweep; undefined: it cannot say. */
  let feed: DeviceRecord[] | undefined;
  const changes: [string, string][] = [];
  const states = new DeviceStates({
    registry: {
      *records() {
        yield* records;
      },
      connectivity: () => (d) => (d.lastSeen !== undefined && d.lastSeen >= since ? 'online' : 'offline'),
      connectivityChanges: () => feed,
      get size() {
        return records.length;
      },
    },
    onChange: (id, state) => changes.push([id, state]),
  });
  return {
    states,
    changes,
    setSince: (s: string) => (since = s),
    setFeed: (f: DeviceRecord[] | undefined) => (feed = f),
  };
}

let n = 0;
const alert = (device: string, severity: AlertSeverity, state: Alert['state'] = 'firing'): Alert => ({
  id: `a${n++}`,
  ruleId: 'r',
  ruleName: 'r',
  severity,
  subject: { kind: 'device', id: device },
  state,
  summary: '',
  firedAt: '',
  lastMatchAt: '',
});

describe('device map states', () => {
  it('give the state of the connectivity an answer just read, leaving taking it in to the sweep', () => {
    const seen = '2026-11-22T12:30:00.000Z';
    const { states, changes } = setUp([record('a'), record('b', seen), record('c', seen)]);
    states.load([alert('c', 'major')]);
    // Heard from since the last sweep: the answer says online, and so does its state...
    expect(states.stateNow('a', true)).toBe('ok');
    // ...while the map's state, and what is told, wait for the sweep.
    expect(states.stateOf('a')).toBe('offline');
    expect(changes).toEqual([]);
    // Gone quiet since the last sweep.
    expect(states.stateNow('b', false)).toBe('offline');
    expect(states.stateOf('b')).toBe('ok');
    // An open alert's state holds whatever the connectivity.
    expect(states.stateNow('c', false)).toBe('major');
    expect(states.stateNow('unknown', true)).toBe('offline');
  });

  it('judge what the registry reports changed by a threshold no earlier than the one it took the changes at', () => {
    const d = record('d', '2026-11-22T12:30:00.000Z');
    // Each question of the registry reads the clock again: the threshold moves on between them.
    let thresholds = ['2026-11-22T12:00:00.000Z'];
    let asked = 0;
    const next = () => thresholds[Math.min(asked++, thresholds.length - 1)] as string;
    const dropped = new Set<DeviceRecord>();
    const states = new DeviceStates({
      registry: {
        *records() {
          yield d;
        },
        connectivity: () => {
          const since = next();
          return (r) => (r.lastSeen !== undefined && r.lastSeen >= since ? 'online' : 'offline');
        },
        // A device is reported once, as it goes quiet at the threshold asked.
        connectivityChanges: () => {
          const since = next();
          if ((d.lastSeen as string) >= since || dropped.has(d)) return [];
          dropped.add(d);
          return [d];
        },
        size: 1,
      },
      onChange: () => undefined,
    });
    states.load([]);
    expect(states.stateOf('d')).toBe('ok');
    // d is last seen exactly at the first threshold of the sweep, and before the second.
    thresholds = ['2026-11-22T12:30:00.000Z', '2026-11-22T12:30:00.001Z'];
    asked = 0;
    states.sweep();
    states.sweep();
    expect(states.stateOf('d')).toBe('offline');
  });

  it('start from connectivity and the open alerts, without telling', () => {
    const { states, changes } = setUp([record('a', '2026-11-22T12:30:00.000Z'), record('b'), record('c')]);
    states.load([alert('b', 'major'), { ...alert('c', 'info'), subject: { kind: 'group', id: 'c' } }]);
    expect([states.stateOf('a'), states.stateOf('b'), states.stateOf('c')]).toEqual([
      'ok',
      'major',
      'offline',
    ]);
    expect([...states.idsIn('major')]).toEqual(['b']);
    expect(changes).toEqual([]);
  });

  it('follow alerts: the worst open one wins, resolving falls back, a change is told once', () => {
    const { states, changes } = setUp([record('a', '2026-11-22T12:30:00.000Z')]);
    states.load([]);
    const minor = alert('a', 'minor');
    const critical = alert('a', 'critical');
    states.alertChanged('fired', minor);
    states.alertChanged('fired', critical);
    states.alertChanged('acknowledged', { ...critical, state: 'acknowledged' });
    expect([...states.idsIn('critical')]).toEqual(['a']);
    expect([
      states.idsIn('critical').size,
      states.idsIn('critical').has('a'),
      states.idsIn('ok').has('a'),
    ]).toEqual([1, true, false]);
    states.alertChanged('resolved', { ...critical, state: 'resolved' });
    states.alertChanged('escalated', { ...minor, severity: 'major' });
    states.alertChanged('resolved', { ...minor, state: 'resolved' });
    expect(changes).toEqual([
      ['a', 'minor'],
      ['a', 'critical'],
      ['a', 'minor'],
      ['a', 'major'],
      ['a', 'ok'],
    ]);
    expect(states.codes[states.slotOf('a')]).toBe(0);
  });

  it('sweep connectivity: offline and back, never below an open alert', () => {
    const { states, changes, setSince } = setUp([
      record('a', '2026-11-22T12:30:00.000Z'),
      record('b', '2026-11-22T12:30:00.000Z'),
    ]);
    states.load([alert('b', 'warning')]);
    setSince('2026-11-22T13:00:00.000Z');
    states.sweep();
    expect(changes).toEqual([['a', 'offline']]);
    setSince('2026-11-22T12:00:00.000Z');
    states.sweep();
    expect(changes).toEqual([
      ['a', 'offline'],
      ['a', 'ok'],
    ]);
    expect(states.stateOf('b')).toBe('warning');
  });

  it('sweeps in timed runs as in one go, letting the event loop run between runs, one sweep at a time', async () => {
    const records = Array.from({ length: 50 }, (_, i) => record(`d${i}`, '2026-11-22T12:30:00.000Z'));
    const { states, changes, setSince } = setUp(records);
    states.load([alert('d7', 'warning')]);
    setSince('2026-11-22T13:00:00.000Z');
    const events: string[] = [];
    setImmediate(() => events.push('event loop'));
    // A run of no time: one device per run, a turn of the event loop after each.
    const sweeping = states.sweepInRuns(0).then(() => events.push('swept'));
    await states.sweepInRuns(0);
    expect(changes).toHaveLength(1);
    await sweeping;
    expect(events).toEqual(['event loop', 'swept']);
    expect(changes.map(([id]) => id)).toEqual(records.map((r) => r.id).filter((id) => id !== 'd7'));
    expect(states.stateOf('d7')).toBe('warning');
    expect(states.idsIn('offline').size).toBe(49);
  });

  it('sweep finds each device by id when the registry yields them in another order, and takes in new ones', () => {
    const records = [record('a', '2026-11-22T12:30:00.000Z'), record('b')];
    const { states, changes } = setUp(records);
    states.load([]);
    const slots = [states.slotOf('a'), states.slotOf('b')];
    records.reverse();
    records.push(record('c', '2026-11-22T12:30:00.000Z'));
    records[1] = { ...(records[1] as DeviceRecord), lastSeen: undefined };
    states.sweep();
    expect([states.slotOf('a'), states.slotOf('b'), states.slotOf('c')]).toEqual([...slots, 2]);
    // Asked with its place in the registry's order, a device found elsewhere is still found.
    expect([
      states.slotOf('a', 0),
      states.slotOf('b', 0),
      states.slotOf('c', 2),
      states.slotOf('zz', 0),
    ]).toEqual([...slots, 2, -1]);
    expect([states.stateOf('a'), states.stateOf('b'), states.stateOf('c')]).toEqual([
      'offline',
      'offline',
      'ok',
    ]);
    expect(changes).toEqual([['a', 'offline']]);
    expect([...states.idsIn('ok')]).toEqual(['c']);
    expect([
      states.idsIn('ok').size,
      states.idsIn('offline').size,
      states.idsIn('offline').has('nobody'),
    ]).toEqual([1, 2, false]);
  });

  it('tell followers each change by slot with the codes it went from and to, those found at start too', () => {
    const { states } = setUp([record('a'), record('b')]);
    const followed: [number, number, number][] = [];
    const stop = states.follow((slot, from, to) => followed.push([slot, from, to]));
    states.load([alert('b', 'major')]);
    const b = states.slotOf('b');
    expect(followed).toEqual([[b, rankOf('offline'), rankOf('major')]]);
    const critical = alert('b', 'critical');
    states.alertChanged('fired', critical);
    states.alertChanged('fired', alert('b', 'minor'));
    stop();
    states.alertChanged('resolved', { ...critical, state: 'resolved' });
    expect(followed).toEqual([
      [b, rankOf('offline'), rankOf('major')],
      [b, rankOf('major'), rankOf('critical')],
    ]);
  });

  it('sweep re-reads only the devices the registry says changed, and every one when it has new ones', () => {
    const records = [record('a', '2026-11-22T12:30:00.000Z'), record('b', '2026-11-22T12:30:00.000Z')];
    const { states, changes, setSince, setFeed } = setUp(records);
    states.load([]);
    setSince('2026-11-22T13:00:00.000Z');
    setFeed([records[1] as DeviceRecord]);
    states.sweep();
    expect([states.stateOf('a'), states.stateOf('b')]).toEqual(['ok', 'offline']);
    expect(changes).toEqual([['b', 'offline']]);
    records.push(record('c', '2026-11-22T13:30:00.000Z'));
    setFeed([]);
    states.sweep();
    expect([states.stateOf('a'), states.stateOf('c')]).toEqual(['offline', 'ok']);
  });

  it('walk every device once every `walkEvery` sweeps, even when the registry says what changed', () => {
    const records = [record('a', '2026-11-22T12:30:00.000Z'), record('b', '2026-11-22T12:30:00.000Z')];
    const { states, setSince, setFeed } = setUp(records);
    states.load([]);
    // The registry misses a device going quiet: the changes' sweeps keep its state...
    setSince('2026-11-22T13:00:00.000Z');
    setFeed([]);
    for (let i = 1; i < walkEvery; i++) states.sweep();
    expect(states.stateOf('a')).toBe('ok');
    // ...until the walk.
    states.sweep();
    expect(states.stateOf('a')).toBe('offline');
    expect(walkEvery).toBe(30);
  });

  it('take in a device the registry reports changed that it has not seen yet', () => {
    const records = [record('a', '2026-11-22T12:30:00.000Z')];
    const { states, setFeed } = setUp(records);
    states.load([]);
    // Same count, another device: only the changes tell about it.
    const other = record('z', '2026-11-22T12:30:00.000Z');
    setFeed([other]);
    states.sweep();
    expect(states.stateOf('z')).toBe('ok');
  });
});
