import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFleet } from '../simulators/fleet.ts';
import { startPlatform } from './platform.ts';
import { watchProc } from './proc.ts';
import { sleep } from './util.ts';

const dir = await mkdtemp(join(tmpdir(), 'idle-'));
const fleet = generateFleet({ seed: 1, devices: 100_000, devicesPerGateway: 50 });
const extra = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=')));
const p = await startPlatform(dir, [fleet], [], extra);
console.log('started');
for (let i = 0; i < 24; i++) {
  const w = watchProc(p.pid);
  await sleep(5000);
  console.log(`${(i + 1) * 5}s cores ${w.stop().cores.toFixed(3)}`);
}
await p.stop();
process.exit(0);
