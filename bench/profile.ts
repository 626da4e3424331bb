import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and returns where the time went: functions by self time
 * (file:line, as in the source) and files/packages by self time. `node bench/profile.ts x.cpuprofile`
 * prints both.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  /** Share of the busy (non-idle) samples. */
  share: number;
  /** The callers (up to 3 frames) through which most of this self time came. */
  via?: string;
}

const root = process.cwd();

function place(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? relative(root, new URL(url).pathname) : url;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  return pkg ? `${pkg[1]}` : path;
}

export async function hotSpots(file: string, top = 15) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parentOf.set(child, n.id);
  const callers = (id: number) => {
    const names: string[] = [];
    for (let p = parentOf.get(id); p !== undefined && names.length < 3; p = parentOf.get(p)) {
      const frame = (byId.get(p) as ProfileNode).callFrame;
      if (frame.functionName === '(root)') break;
      names.push(frame.functionName || '(anonymous)');
    }
    return names.join(' < ');
  };
  const vias = new Map<string, Map<string, number>>();
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    // timeDeltas[i] is the time since the previous sample: it belongs to the previous sample's node.
    const us = deltas[i + 1] ?? 0;
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  const functions = new Map<string, HotSpot>();
  const files = new Map<string, HotSpot>();
  let busyUs = 0;
  let idleUs = 0;
  for (const [id, us] of selfUs) {
    const frame = (byId.get(id) as ProfileNode).callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += us;
      continue;
    }
    busyUs += us;
    const where = frame.url ? `${place(frame.url)}:${frame.lineNumber + 1}` : '(native)';
    const name = frame.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const f = functions.get(key) ?? { name, where, selfMs: 0, share: 0 };
    f.selfMs += us / 1000;
    functions.set(key, f);
    const via = vias.get(key) ?? new Map<string, number>();
    const chain = callers(id);
    via.set(chain, (via.get(chain) ?? 0) + us);
    vias.set(key, via);
    const fileKey = frame.url ? place(frame.url) : name;
    const g = files.get(fileKey) ?? { name: fileKey, where: '', selfMs: 0, share: 0 };
    g.selfMs += us / 1000;
    files.set(fileKey, g);
  }
  const topVia = (key: string) => {
    const entries = [...(vias.get(key)?.entries() ?? [])].sort((a, b) => b[1] - a[1]);
    const total = entries.reduce((sum, [, us]) => sum + us, 0);
    const [chain, us] = entries[0] ?? ['', 0];
    return chain ? `${chain} (${Math.round((us / total) * 100)} %)` : undefined;
  };
  const rank = (m: Map<string, HotSpot>) =>
    [...m.entries()]
      .map(([key, h]) => ({
        ...h,
        share: (h.selfMs * 1000) / busyUs,
        via: m === functions ? topVia(key) : undefined,
      }))
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top);
  return { busyMs: busyUs / 1000, idleMs: idleUs / 1000, functions: rank(functions), files: rank(files) };
}

export function printHotSpots(title: string, spots: Awaited<ReturnType<typeof hotSpots>>): void {
  console.log(
    `\n${title}: ${(spots.busyMs / 1000).toFixed(1)} s busy, ${(spots.idleMs / 1000).toFixed(1)} s idle`,
  );
  console.log(
    '| self % of busy | self ms | function | file:line | mostly called from |\n| --- | --- | --- | --- | --- |',
  );
  for (const f of spots.functions)
    console.log(
      `| ${(f.share * 100).toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.name} | ${f.where} | ${f.via ?? ''} |`,
    );
  console.log('\n| self % of busy | self ms | file or package |\n| --- | --- | --- |');
  for (const f of spots.files)
    console.log(`| ${(f.share * 100).toFixed(1)} | ${f.selfMs.toFixed(0)} | ${f.name} |`);
}

/**
 * The bench's CPU profiles (`--profile dir`): `nodeOptions` gives a process's NODE_OPTIONS (the extra
 * flags, and a CPU profile into `profileDir/<name>` at exit); `profileOf`, the hot spots of the newest
 * profile written there (by `pid`), printed and returned.
 */
export function profiling(profileDir: string | undefined) {
  const nodeOptions = async (name: string, extra: string): Promise<Record<string, string>> => {
    let flags = extra;
    if (profileDir) {
      await mkdir(join(profileDir, name), { recursive: true });
      flags += ` --cpu-prof --cpu-prof-dir=${join(profileDir, name)}`;
    }
    const all = [process.env.NODE_OPTIONS, flags.trim()].filter(Boolean).join(' ');
    return all ? { NODE_OPTIONS: all } : {};
  };
  const profileOf = async (name: string, pid?: number) => {
    if (!profileDir) return undefined;
    const files = (await readdir(join(profileDir, name)))
      .filter((f) => f.endsWith('.cpuprofile') && (pid === undefined || f.includes(`.${pid}.`)))
      .sort();
    const newest = files.at(-1);
    if (!newest) return undefined;
    const spots = await hotSpots(join(profileDir, name, newest), 12);
    printHotSpots(`CPU profile of the ${name} (${join(profileDir, name, newest)})`, spots);
    return {
      file: join(profileDir, name, newest),
      functions: spots.functions,
      files: spots.files.slice(0, 8),
    };
  };
  return { nodeOptions, profileOf };
}

if (import.meta.main) {
  for (const file of process.argv.slice(2)) printHotSpots(file, await hotSpots(file, 25));
}
