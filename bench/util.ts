/** Small helpers shared by the benchmark modules: progress lines, sleeping, percentiles, formatting. */

const started = Date.now();

/** One progress line, prefixed with the seconds since the benchmark started. */
export function say(line: string): void {
  const t = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[bench ${t}s] ${line}`);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The q-quantile (0..1) of `values` (nearest rank); NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** A number with thousands separators and no decimals. */
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');

/** Bytes as MB with one decimal. */
export const mb = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : '-';

/** A ratio as a percentage. */
export const pct = (ratio: number) => (Number.isFinite(ratio) ? `${(ratio * 100).toFixed(1)} %` : '-');

/** Rounds for the JSON results (keeps the file small and readable). */
export const round = (n: number, digits = 1) =>
  Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : null;

/** Waits until `check` returns true, polling every `everyMs`; false if `timeoutMs` passed first. */
export async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}
