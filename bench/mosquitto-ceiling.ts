import { startLoad } from './load.ts';
import type { LoadSpec } from './load-worker.ts';
import { countingSubscriber, startMosquitto } from './mosquitto.ts';
import { watchMachine, watchProc } from './proc.ts';
import { until } from './util.ts';

/**
 * Ceiling (1), the MQTT transport: the same load generator (same connections, batches, QoS and
 * window) against Mosquitto, with one subscriber counting. Rate = readings delivered to the
 * subscriber per second, first publish to last delivery; delivered must equal acknowledged.
 */
export async function mosquittoCeiling(dir: string, spec: Omit<LoadSpec, 'url'>) {
  const mosquitto = await startMosquitto(dir);
  try {
    const subscriber = await countingSubscriber(mosquitto.url, 'city/v1/gateways/+/telemetry');
    const broker = watchProc(mosquitto.pid);
    const machine = watchMachine();
    const own = process.cpuUsage();
    const load = startLoad({ ...spec, url: mosquitto.url }, 'Mosquitto ceiling');
    const result = await load.result;
    await until(async () => subscriber.state.received >= result.ackedBatches, 60_000, 50);
    const usage = broker.stop();
    const machineCores = machine.stop();
    const ownCpu = process.cpuUsage(own);
    await subscriber.stop();
    const { received, lastAt } = subscriber.state;
    const seconds = (lastAt - result.firstPublishAt) / 1000;
    return {
      messagesPerS: received / seconds,
      readingsPerS: (received * spec.batchSize) / seconds,
      acked: result.ackedBatches,
      received,
      zeroLoss: received === result.sentBatches && result.errors.length === 0,
      errors: result.errors,
      seconds,
      mosquittoCores: usage.cores,
      loadCores: result.cpuS / seconds,
      machineCores,
      /** The subscriber runs in the benchmark process. */
      subscriberCores: (ownCpu.user + ownCpu.system) / 1e6 / seconds,
    };
  } finally {
    await mosquitto.stop();
  }
}

export type MosquittoResult = Awaited<ReturnType<typeof mosquittoCeiling>>;
