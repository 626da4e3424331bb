import type { Point } from '@influxdata/influxdb-client';

/**
 * Where derived points go (alert transitions, status snapshots): the journal, or straight to
 * InfluxDB. Whoever writes does not know which.
 */
export interface PointWriter {
  write(lines: string[]): void | Promise<void>;
}

/** Line protocol with millisecond timestamps (the precision every write uses). */
export function toLine(point: Point): string {
  const line = point.toLineProtocol({
    convertTime: (value) =>
      value instanceof Date ? String(value.getTime()) : value === undefined ? undefined : String(value),
  });
  if (!line) throw new Error('a point without fields cannot be written');
  return line;
}
