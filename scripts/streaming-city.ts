import type { Logger } from 'pino';
import { EdgeAgent } from '../edge/agent.ts';
import { gatewayOutbox } from '../edge/compose.ts';
import { agentConfig } from '../edge/config.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { simulatedDrivers } from '../simulators/driver/simulated-driver.ts';
import { createRandom } from '../simulators/random.ts';
import { RecordingDriver } from '../simulators/recording-driver.ts';

export interface StreamingCityOptions {
  fleet: FleetFile;
  mqttUrl: string;
  dataDir: string;
  secrets: Map<string, string>;
  seed?: number;
  /** Backlog replay rate of every agent (items per second). */
  replayPerS?: number;
  /** Simulated seconds each poll advances. */
  stepS?: number;
  log: Logger;
}

/**
 * Edge agents for every gateway of a fleet, in this process, with recording simulated drivers: what
 * the devices produced is known exactly, so the tests and the chaos run can compare it with what was
 * stored. Each poll advances simulated time by `stepS` (starting three hours ago, so device
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
  const agentFor = (gatewayId: string) => {
    const config = agentConfig.parse({
      gatewayId,
      mqtt: { url: options.mqttUrl, password: options.secrets.get(gatewayId) },
      dataDir: options.dataDir,
      batch: { maxReadings: 50, maxInFlight: 8 },
      backoff: { initialMs: 50, maxMs: 500 },
      queue: { replayPerS: options.replayPerS ?? 2_000 },
    });
    return new EdgeAgent({
      config,
      drivers: drivers.get(gatewayId) ?? [],
      outbox: gatewayOutbox(config),
      log: options.log,
      now: () => new Date(simulatedNow),
      random: () => random.next(),
    });
  };
  for (const gateway of options.fleet.gateways) {
    const agent = agentFor(gateway.id);
    agents.set(gateway.id, agent);
    await agent.start({ poll: false });
  }
  const pollAll = async () => {
    simulatedNow += (options.stepS ?? 1) * 1_000;
    await Promise.all([...agents.values()].map((a) => a.pollOnce()));
  };
  return {
    agents,
    simulatedNow: () => simulatedNow,
    readings: () => recorders.flatMap((r) => r.readings),
    /** The device events the drivers produced (a lamp switching at dusk, a fault), in the order polled. */
    events: () => recorders.flatMap((r) => r.events),
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
    /**
     * Stops a gateway's agent (its outbox stays on disk) and starts a new one on the same data, after
     * `whileStopped` if given.
     */
    async restart(gatewayId: string, whileStopped?: () => Promise<void>) {
      await agents.get(gatewayId)?.stop();
      await whileStopped?.();
      const agent = agentFor(gatewayId);
      agents.set(gatewayId, agent);
      await agent.start({ poll: false });
    },
    drained: () => Promise.all([...agents.values()].map((a) => a.drained())),
    stop: () => Promise.all([...agents.values()].map((a) => a.stop())),
  };
}
