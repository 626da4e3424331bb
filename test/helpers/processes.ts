import { readdirSync, readFileSync } from 'node:fs';

/** A process seen in /proc: its id, its parent's and its command name (Linux). */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  name: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = stat.lastIndexOf(')');
    const [state, ppid] = stat.slice(close + 2).split(' ');
    if (state === 'Z') return undefined; // a zombie has ended; only its exit status is left
    return { pid, ppid: Number(ppid), name: stat.slice(stat.indexOf('(') + 1, close) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every live process that descends from `root` (not `root` itself). */
export function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readProcess(Number(entry)))
    .filter((p) => p !== undefined);
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all)
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
  }
  return found;
}

/** Whether the process is still running (a zombie counts as ended). */
export function isRunning(pid: number): boolean {
  return readProcess(pid) !== undefined;
}
