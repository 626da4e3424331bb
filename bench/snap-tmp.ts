import { writeHeapSnapshot } from 'node:v8';
import { alertLatencyBench } from './alert-latency.ts';

let armed = false;
const log = console.log.bind(console);
const arm = () => {
  if (armed) return;
  armed = true;
  setTimeout(() => {
    const t0 = performance.now();
    writeHeapSnapshot('/tmp/snaps/s1.heapsnapshot');
    log(`[snap] s1 in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    setTimeout(() => {
      const t1 = performance.now();
      writeHeapSnapshot('/tmp/snaps/s2.heapsnapshot');
      log(`[snap] s2 in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    }, 1_000);
  }, 6_000);
};
console.log = (...args: unknown[]) => {
  const line = String(args[0]);
  if (line.includes('background') && line.includes('acknowledged')) arm();
  log(...args);
};
const result = await alertLatencyBench({
  rules: 10_000,
  devices: 100_000,
  samples: 1500,
  backgroundRatePerS: 21_000,
  stalls: false,
  say: (line) => log(`[alerts] ${line}`),
});
log(JSON.stringify(result).slice(0, 300));
