import { alertLatencyBench } from './alert-latency.ts';
import { rulesBench } from './rules-engine.ts';
import { int } from './util.ts';

/**
 * The rules (issue 3, targets raised by issue 18): readings through the engine alone with 10,000
 * rules and 100,000 devices, first as plain thresholds (which the engine's threshold index finds),
 * then as `between` conditions (evaluated one by one); and publish → alert through the whole platform
 * under a background load of `backgroundRatePerS` (half the sustained ingest rate of the run).
 */
export async function rulesSection(options: {
  quick: boolean;
  backgroundRatePerS: number;
  say: (line: string) => void;
}) {
  const say = (line: string) => options.say(`(rules) ${line}`);
  say('the rules engine with 10,000 rules and 100,000 devices');
  const engineRun = (condition: 'threshold' | 'between') =>
    rulesBench({
      rules: 10_000,
      devices: 100_000,
      readings: options.quick ? 20_000 : 100_000,
      condition,
      say,
    });
  const engine = await engineRun('threshold');
  say(
    `${int(engine.readingsPerSecond)} readings/s (threshold rules), ${engine.evaluationsPerReading} evaluations per reading`,
  );
  const oneByOne = await engineRun('between');
  say(`${int(oneByOne.readingsPerSecond)} readings/s (between rules, evaluated one by one)`);
  const alertLatency = await alertLatencyBench({
    rules: 10_000,
    devices: options.quick ? 10_000 : 100_000,
    samples: options.quick ? 50 : 500,
    backgroundRatePerS: options.backgroundRatePerS,
    say,
  });
  say(
    `publish → alert p50 ${alertLatency.publishToAlertMs.p50} ms, p99 ${alertLatency.publishToAlertMs.p99} ms (PUBACK p99 ${alertLatency.publishToPubackMs.p99} ms), background ${int(alertLatency.backgroundRatePerS.achieved)} readings/s`,
  );
  return { engine, oneByOne, alertLatency };
}
