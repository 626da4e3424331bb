import { describe, expect, it } from 'vitest';
import type { BackoffPolicy } from '../../edge/backoff.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { startFaultCloud, streamCity } from '../helpers/fault-cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/** The backoff of the streaming city's agents (scripts/streaming-city.ts). */
const backoff: BackoffPolicy = { initialMs: 50, maxMs: 500 };

/**
 * The most reconnect attempts an agent following `policy` can make within `windowMs`: every delay is
 * at least half its ceiling (edge/backoff.ts: "equal jitter"), and attempt n waits the sum of the
 * first n delays, so the count is the largest n whose shortest delays still fit into the window
 * (counted from attempt 0, the shortest a backoff can be).
 */
function mostAttempts(policy: BackoffPolicy, windowMs: number): number {
  let n = 0;
  let waited = 0;
  for (;;) {
    waited += Math.min(policy.maxMs, policy.initialMs * 2 ** n) / 2;
    if (waited > windowMs) return n;
    n++;
  }
}

describe('restart storms: the cloud killed with SIGKILL five times, agents restarted, during a stream', () => {
  it('ends with produced = stored, no manual step, and gateways that back off rather than storm', {
    timeout: 300_000,
  }, async () => {
    const fleet = generateFleet({ seed: 27, devices: 45, devicesPerGateway: 15 });
    const fault = await startFaultCloud(cleanups, { fleet, database: 'storm' });
    const { city, stop } = await streamCity(cleanups, fault);
    const random = createRandom(27);
    const gateways = [...city.agents.keys()];
    const reconnects = () => new Map(gateways.map((g) => [g, city.agents.get(g)?.stats.reconnects ?? 0]));

    for (let round = 0; round < 5; round++) {
      // A random moment: after a random number of readings more has been accepted by this process.
      const target = (await fault.accepted()) + random.int(100, 900);
      await waitFor('readings flowing', async () => (await fault.accepted()) >= target, 60_000);
      // An agent restarted at a random moment too (its outbox stays on disk): once it had a batch taken.
      const restarted = random.pick(gateways);
      const batches = city.agents.get(restarted)?.stats.publishedBatches ?? 0;
      await waitFor('a batch of the agent acknowledged', () => {
        return (city.agents.get(restarted)?.stats.publishedBatches ?? 0) > batches;
      });
      await city.restart(restarted);

      const before = reconnects();
      const killedAt = Date.now();
      fault.process.child.kill('SIGKILL');
      expect(await fault.process.exited).toBe('SIGKILL');
      await fault.restart();
      await waitFor('every gateway back', () => [...city.agents.values()].every((a) => a.connected), 60_000);
      // Gateways back off: no gateway tried more often than its backoff allows in the outage.
      const bound = mostAttempts(backoff, Date.now() - killedAt);
      for (const [gateway, count] of reconnects()) {
        const attempts = count - (before.get(gateway) ?? 0);
        expect(attempts, `${gateway} reconnected ${attempts} times`).toBeGreaterThan(0);
        expect(attempts, `${gateway} reconnected ${attempts} times`).toBeLessThanOrEqual(bound);
      }
    }
    await waitFor('readings flowing after the last restart', async () => (await fault.accepted()) > 200);
    await stop();

    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(2_000);
    await expectEveryReadingStored(await fault.influx(), readings);
  });
});
