/** A measurement and the start of a UTC hour (ms) that points were written into. */
export interface WrittenHour {
  measurement: string;
  hour: number;
}

const hourMs = 3_600_000;

/** The measurement of a line of line protocol: up to the first unescaped comma or space. */
function measurementOf(line: string): string {
  let name = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      name += line[++i];
      continue;
    }
    if (c === ',' || c === ' ') return name;
    name += c;
  }
  return name;
}

/**
 * The (measurement, hour) pairs that `records` (journal entries: lines of line protocol with
 * millisecond timestamps, joined by newlines) write into, for the measurements in `watched` only,
 * each pair once. A line without a timestamp is stamped by InfluxDB on arrival: `now` stands for it.
 */
export function writtenHours(
  records: readonly string[],
  watched: ReadonlySet<string>,
  now: number,
): WrittenHour[] {
  const found = new Map<string, WrittenHour>();
  for (const record of records) {
    for (const line of record.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const measurement = measurementOf(line);
      if (!watched.has(measurement)) continue;
      const stamp = Number(line.slice(line.lastIndexOf(' ') + 1));
      const at = Number.isFinite(stamp) && /\d$/.test(line) ? stamp : now;
      const hour = Math.floor(at / hourMs) * hourMs;
      found.set(`${measurement}\u0000${hour}`, { measurement, hour });
    }
  }
  return [...found.values()];
}
