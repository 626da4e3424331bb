import { readdirSync, readFileSync } from 'node:fs';

/**
 * CPU time and memory of a process from /proc (Linux): utime + stime of /proc/<pid>/stat in clock
 * ticks (USER_HZ = 100 on Linux), VmRSS and VmHWM (peak resident set) of /proc/<pid>/status.
 */
const ticksPerSecond = 100;

export interface ProcSample {
  /** User + system CPU seconds since the process started. */
  cpuS: number;
  rssBytes: number;
  /** Peak RSS since the process started (VmHWM). */
  hwmBytes: number;
  /** RSS split: anonymous memory (heaps) and file-backed pages (the node binary, libraries). */
  rssAnonBytes: number;
  rssFileBytes: number;
}

/** A process's or thread's name and CPU ticks (utime + stime) from the text of its `stat` file. */
export function statTicks(stat: string): { name: string; ticks: number } {
  // The command name (field 2) may contain spaces and parentheses: split after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

export function readProc(pid: number): ProcSample | undefined {
  try {
    const cpuS = statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')).ticks / ticksPerSecond;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    return {
      cpuS,
      rssBytes: kb('VmRSS'),
      hwmBytes: kb('VmHWM'),
      rssAnonBytes: kb('RssAnon'),
      rssFileBytes: kb('RssFile') + kb('RssShmem'),
    };
  } catch {
    return undefined;
  }
}

/** The pid of a process whose command line contains every one of `parts` (e.g. influxd and its config). */
export function findPid(parts: string[]): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (parts.every((p) => cmdline.includes(p))) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  return undefined;
}

/** What a process used over a window: CPU seconds, CPU share of one core, peak RSS (sampled and VmHWM). */
export interface ProcUsage {
  cpuS: number;
  /** CPU seconds per wall second: 1.0 = one core busy. */
  cores: number;
  peakRssBytes: number;
  hwmBytes: number;
}

/** Samples a process every `everyMs` from now on; `stop()` returns its usage over the window. */
export function watchProc(pid: number | undefined, everyMs = 250) {
  const first = pid === undefined ? undefined : readProc(pid);
  const startedAt = performance.now();
  let last = first;
  let peak = first?.rssBytes ?? 0;
  const timer = setInterval(() => {
    const sample = pid === undefined ? undefined : readProc(pid);
    if (!sample) return;
    last = sample;
    peak = Math.max(peak, sample.rssBytes);
  }, everyMs);
  timer.unref();
  return {
    stop(): ProcUsage {
      clearInterval(timer);
      const end = (pid === undefined ? undefined : readProc(pid)) ?? last;
      const wallS = (performance.now() - startedAt) / 1000;
      const cpuS = end && first ? end.cpuS - first.cpuS : Number.NaN;
      return {
        cpuS,
        cores: cpuS / wallS,
        peakRssBytes: Math.max(peak, end?.rssBytes ?? 0),
        hwmBytes: end?.hwmBytes ?? Number.NaN,
      };
    },
  };
}

/** Busy and total CPU ticks of the whole machine (/proc/stat), to see what else ran during a phase. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { busy, total: busy + (idle ?? 0) + (iowait ?? 0) };
}

/** From now on: `stop()` returns the machine's busy cores (all processes, ours included) over the window. */
export function watchMachine() {
  const first = machineTicks();
  const startedAt = performance.now();
  return {
    stop(): number {
      const end = machineTicks();
      return (end.busy - first.busy) / ticksPerSecond / ((performance.now() - startedAt) / 1000);
    },
  };
}
