import { describe, expect, it } from 'vitest';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { startFaultCloud, streamCity } from '../helpers/fault-cloud.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

describe('the cloud process is killed with SIGKILL during a stream', () => {
  it('loses no acknowledged reading and stores none twice after it restarts', {
    timeout: 120_000,
  }, async () => {
    const fleet = generateFleet({ seed: 21, devices: 60, devicesPerGateway: 20 });
    const fault = await startFaultCloud(cleanups, { fleet, database: 'killtest' });
    const { city, stop } = await streamCity(cleanups, fault);

    for (let kill = 0; kill < 2; kill++) {
      await waitFor('readings flowing', async () => (await fault.accepted()) > 500);
      fault.process.child.kill('SIGKILL');
      expect(await fault.process.exited).toBe('SIGKILL');
      await fault.restart();
    }
    await waitFor('every gateway to reconnect', () => [...city.agents.values()].every((a) => a.connected));
    await waitFor('readings flowing after the last restart', async () => (await fault.accepted()) > 0);
    await stop();

    const readings = city.readings();
    expect(readings.length).toBeGreaterThan(1_500);
    await expectEveryReadingStored(await fault.influx(), readings);
  });
});
