/** A measurement and the start of a UTC hour (ms) that points were written into. */
export interface WrittenHour {
  measurement: string;
  hour: number;
}

const hourMs = 3_600_000;
const [comma, space, backslash, hash] = [0x2c, 0x20, 0x5c, 0x23];
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** The measurement of the line at record[start, end): up to the first unescaped comma or space. */
function measurementOf(record: string, start: number, end: number): string {
  for (let i = start; i < end; i++) {
    const c = record.charCodeAt(i);
    if (c === comma || c === space) return record.slice(start, i);
    if (c === backslash) return unescapedMeasurement(record, start, end);
  }
  return record.slice(start, end);
}

/** The same, for a name with escapes (rare): character by character. */
function unescapedMeasurement(record: string, start: number, end: number): string {
  let name = '';
  for (let i = start; i < end; i++) {
    const c = record[i];
    if (c === '\\' && i + 1 < end) {
      name += record[++i];
      continue;
    }
    if (c === ',' || c === ' ') return name;
    name += c;
  }
  return name;
}

const isDelimiter = (c: number) => c === comma || c === space;

/**
 * The timestamp at the end of the line at record[start, end): the text after its last space, as a
 * number, when the line ends with a digit; undefined when it has none. Plain digits (every line the
 * cloud writes) are summed in place; anything else is read by `Number`.
 */
function stampOf(record: string, start: number, end: number): number | undefined {
  let i = end - 1;
  if (i < start || !isDigit(record.charCodeAt(i))) return undefined;
  while (i >= start && isDigit(record.charCodeAt(i))) i--;
  // Up to 15 digits the sum is exact, as Number's reading is (a millisecond stamp has 13).
  if (i >= start && record.charCodeAt(i) === space && end - i <= 16) {
    let value = 0;
    for (let d = i + 1; d < end; d++) value = value * 10 + (record.charCodeAt(d) - 0x30);
    return value;
  }
  const lastSpace = record.lastIndexOf(' ', end - 1);
  const stamp = Number(record.slice(lastSpace < start ? start : lastSpace + 1, end));
  return Number.isFinite(stamp) ? stamp : undefined;
}

/**
 * The (measurement, hour) pairs that `records` (journal entries: lines of line protocol with
 * millisecond timestamps, joined by newlines) write into, for the measurements in `watched` only,
 * each pair once. A line without a timestamp is stamped by InfluxDB on arrival: `now` stands for it.
 * It reads every line the storage thread writes: lines are walked in place (no split), and a line
 * of the same measurement and hour as the one before it costs no lookup.
 */
export function writtenHours(
  records: readonly string[],
  watched: ReadonlySet<string>,
  now: number,
): WrittenHour[] {
  const found = new Map<string, WrittenHour>();
  let last: WrittenHour | undefined;
  let plain: string | undefined;
  for (const record of records) {
    for (let start = 0; start < record.length; ) {
      let end = record.indexOf('\n', start);
      if (end === -1) end = record.length;
      const lineStart = start;
      start = end + 1;
      if (end === lineStart || record.charCodeAt(lineStart) === hash) continue;
      // Lines of one record mostly share their measurement: compared in place, not cut out again
      // (a name with a comma, space or backslash in it is written escaped: always cut out).
      let measurement = plain;
      if (
        measurement === undefined ||
        !record.startsWith(measurement, lineStart) ||
        !isDelimiter(record.charCodeAt(lineStart + measurement.length))
      ) {
        measurement = measurementOf(record, lineStart, end);
        plain = /[, \\]/.test(measurement) ? undefined : measurement;
      }
      if (!watched.has(measurement)) continue;
      const at = stampOf(record, lineStart, end) ?? now;
      const hour = Math.floor(at / hourMs) * hourMs;
      if (last?.hour === hour && last.measurement === measurement) continue;
      const key = `${measurement}\u0000${hour}`;
      last = found.get(key) ?? { measurement, hour };
      found.set(key, last);
    }
  }
  return [...found.values()];
}
