import { describe, expect, it } from 'vitest';
import { binRule, engineHarness, minute } from './engine-harness.ts';

/** The timer's evaluation in slices (a region's million devices) must do what one tick does. */
const bins = Array.from({ length: 25 }, (_, i) => ({
  id: `bin-${i + 1}`,
  district: i < 10 ? 'noord' : 'centrum',
}));
const silent = binRule({ id: 'bin-silent', condition: { type: 'absence', after: '10m' } });
const quietDistrict = binRule({
  id: 'district-quiet',
  condition: { type: 'absence', after: '10m' },
  group: { by: 'district', thresholdPercent: 50 },
});

async function silentFleet() {
  const h = await engineHarness(bins);
  h.rules(silent, quietDistrict);
  // Twelve bins report; the other thirteen (all of noord and three of centrum) stay silent.
  h.at(9 * minute);
  for (const bin of bins.slice(10, 22)) h.read(bin.id, { fillingLevel: 10 });
  h.at(12 * minute);
  return h;
}

/** A clock that moves 1 ms each time it is read: the engine reads it once per device visited. */
function devicesVisited() {
  let ms = 0;
  return () => ms++;
}

const openIds = (h: Awaited<ReturnType<typeof silentFleet>>) =>
  h.alertStore
    .allOpen()
    .map((a) => `${a.ruleId} ${a.subject.id}`)
    .sort();

describe('rules engine: the timed evaluation in slices', () => {
  it('fires and counts as one tick does, pausing every few devices', async () => {
    const [whole, sliced] = [await silentFleet(), await silentFleet()];
    whole.tick();
    await sliced.engine.tickInSlices(new AbortController().signal, 3, devicesVisited());
    expect(openIds(sliced)).toEqual(openIds(whole));
    expect(openIds(sliced)).toContain('district-quiet district:noord');
    expect(openIds(sliced)).not.toContain('district-quiet district:centrum');
    expect(openIds(sliced).filter((id) => id.startsWith('bin-silent'))).toHaveLength(13);
    expect(sliced.counters.get('rules_evaluated')).toBe(whole.counters.get('rules_evaluated'));
  });

  it('stops at the first pause once the cloud stops, and a second call meanwhile does nothing', async () => {
    const h = await silentFleet();
    const stop = new AbortController();
    const running = h.engine.tickInSlices(stop.signal, 5, devicesVisited());
    // Asked again while it runs: returns at once, evaluating nothing.
    await h.engine.tickInSlices(new AbortController().signal, 5, devicesVisited());
    stop.abort();
    await running;
    // The first slice only: five bins visited, of which bin-1…bin-5 are silent.
    expect(openIds(h)).toEqual([
      'bin-silent bin-1',
      'bin-silent bin-2',
      'bin-silent bin-3',
      'bin-silent bin-4',
      'bin-silent bin-5',
    ]);
    // Done, it can run again.
    await h.engine.tickInSlices(new AbortController().signal, 5, devicesVisited());
    expect(openIds(h).filter((id) => id.startsWith('bin-silent'))).toHaveLength(13);
  });

  it('ends when the rules change or the lease is lost during a pause', async () => {
    const h = await silentFleet();
    const running = h.engine.tickInSlices(new AbortController().signal, 5, devicesVisited());
    h.rules(silent, quietDistrict);
    await running;
    expect(openIds(h)).toHaveLength(5);
    const other = await silentFleet();
    const lost = other.engine.tickInSlices(new AbortController().signal, 5, devicesVisited());
    other.evaluating(false);
    await lost;
    expect(openIds(other)).toHaveLength(5);
  });
});
