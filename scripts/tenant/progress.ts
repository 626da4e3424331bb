/** How often a part that is still being written says how far it got. */
export const progressEveryMs = 5_000;

const count = new Intl.NumberFormat('en');

/** `1 row`, `30,069 rows`. */
export function formatRows(rows: number): string {
  return `${count.format(rows)} ${rows === 1 ? 'row' : 'rows'}`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * What a long export or import says while it works: each part as it starts and ends, and the rows
 * so far every few seconds in between, so that a person never watches a silent terminal.
 */
export class Progress {
  private readonly say: (message: string) => void;
  private readonly now: () => number;
  private current = '';
  private lastSaid = 0;

  constructor(say: (message: string) => void, now: () => number = Date.now) {
    this.say = say;
    this.now = now;
  }

  start(index: number, total: number, path: string): void {
    this.current = path;
    this.lastSaid = this.now();
    this.say(`[${index}/${total}] ${path}`);
  }

  /** Rows of the current part so far; said at most every `progressEveryMs`. */
  rows(rows: number): void {
    const now = this.now();
    if (now - this.lastSaid < progressEveryMs) return;
    this.lastSaid = now;
    this.say(`  ${this.current}: ${formatRows(rows)} so far`);
  }

  done(rows: number, bytes?: number): void {
    this.say(`  ${this.current}: ${formatRows(rows)}${bytes === undefined ? '' : `, ${formatBytes(bytes)}`}`);
  }
}
