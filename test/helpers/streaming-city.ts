import { EdgeAgent } from '../../edge/agent.ts';
import { edgeConfig } from '../../edge/config.ts';
import { simulatedDrivers } from '../../edge/drivers/simulated.ts';
import type { FleetFile } from '../../shared/fleet.ts';
import { createRandom } from '../../simulators/random.ts';
import { silentLog } from './cloud.ts';
import { RecordingDriver } from './recording.ts';

export interface StreamingCityOptions {
  fleet: FleetFile;
  mqttUrl: string;
  dataDir: string;
  secrets: Map<string, string>;
  seed?: number;
  /** Backlog replay rate of every agent (items per second). */
  replayPerS?: number;
}

/**
 * Edge agents for every gateway of a fleet, with recording simulated drivers, polled by the test in
 * a loop: each poll advances simulated time by one second (starting three hours ago, so device
 * timestamps stay in the past). `stream()` keeps polling until the returned function is called.
 */
export async function streamingCity(options: StreamingCityOptions) {
  let simulatedNow = Date.now() - 3 * 3600_000;
  const random = createRandom(options.seed ?? 1);
  const recorders: RecordingDriver[] = [];
  const agents = new Map<string, EdgeAgent>();
  const drivers = new Map<string, RecordingDriver[]>();
  for (const gateway of options.fleet.gateways) {
    const devices = options.fleet.devices.filter((d) => d.gatewayId === gateway.id);
    const own = simulatedDrivers(devices, options.fleet.city, random.fork(gateway.id)).map(
      (d) => new RecordingDriver(d),
    );
    drivers.set(gateway.id, own);
    recorders.push(...own);
  }
  const agentFor = (gatewayId: string) =>
    new EdgeAgent({
      config: edgeConfig.parse({
        gatewayId,
        mqtt: { url: options.mqttUrl, password: options.secrets.get(gatewayId) },
        dataDir: options.dataDir,
        batch: { maxReadings: 50, maxInFlight: 8 },
        backoff: { initialMs: 50, maxMs: 500 },
        queue: { replayPerS: options.replayPerS ?? 2_000 },
      }),
      drivers: drivers.get(gatewayId) ?? [],
      log: silentLog,
      now: () => new Date(simulatedNow),
      random: () => random.next(),
    });
  for (const gateway of options.fleet.gateways) {
    const agent = agentFor(gateway.id);
    agents.set(gateway.id, agent);
    await agent.start({ poll: false });
  }
  const pollAll = async () => {
    simulatedNow += 1_000;
    await Promise.all([...agents.values()].map((a) => a.pollOnce()));
  };
  return {
    agents,
    simulatedNow: () => simulatedNow,
    readings: () => recorders.flatMap((r) => r.readings),
    pollAll,
    /** Polls every `everyMs` until stopped; resolves the stop function's promise after the last poll. */
    stream(everyMs = 25): () => Promise<void> {
      let running = true;
      const loop = (async () => {
        while (running) {
          await pollAll();
          await new Promise((r) => setTimeout(r, everyMs));
        }
      })();
      return async () => {
        running = false;
        await loop;
      };
    },
    /** Stops a gateway's agent (its outbox stays on disk) and starts a new one on the same data. */
    async restart(gatewayId: string) {
      await agents.get(gatewayId)?.stop();
      const agent = agentFor(gatewayId);
      agents.set(gatewayId, agent);
      await agent.start({ poll: false });
    },
    drained: () => Promise.all([...agents.values()].map((a) => a.drained())),
    stop: () => Promise.all([...agents.values()].map((a) => a.stop())),
  };
}
