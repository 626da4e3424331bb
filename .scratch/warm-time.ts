import { pino } from 'pino';
import { DeviceMap } from '../cloud/live/device-map.ts';
import { DeviceStates } from '../cloud/live/device-states.ts';
import { MemoryRegistryStore } from '../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../cloud/registry/registry.ts';
import { generateFleet } from '../simulators/fleet.ts';

void pino;
const fleet = generateFleet({ seed: 1, devices: 1_000_000 });
const registry = new DeviceRegistry({
  store: new MemoryRegistryStore(),
  now: () => new Date(),
  offlineAfterMs: 900_000,
});
await registry.load([fleet]);
const states = new DeviceStates({ registry, onChange: () => {} });
let t = performance.now();
states.load([]);
console.log('states.load', Math.round(performance.now() - t));
const map = new DeviceMap(registry, states);
t = performance.now();
await map.districts();
console.log('districts (outlines)', Math.round(performance.now() - t));
t = performance.now();
map.bounds();
await map.within([14, 50, 14.01, 50.01], {}, 10);
console.log('index', Math.round(performance.now() - t));
process.exit(0);
