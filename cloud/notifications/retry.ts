/** The result of one delivery attempt: an HTTP status, or an error before any response. */
export type AttemptResult = { status: number; retryAfter?: string | null } | { error: string };

/**
 * Worth another attempt: network errors and timeouts, 5xx, and 429 Too Many Requests.
 * Other 4xx (and unfollowed 3xx) mean the request itself is wrong, so a retry would fail again.
 */
export function isRetryable(result: AttemptResult): boolean {
  if ('error' in result) return true;
  return result.status >= 500 || result.status === 429;
}

export function isDelivered(result: AttemptResult): boolean {
  return 'status' in result && result.status >= 200 && result.status < 300;
}

export interface BackoffOptions {
  /** Delay before the second attempt, before jitter; it doubles per attempt. */
  baseMs: number;
  maxMs: number;
}

/**
 * Delay after the `attempt`-th failed attempt (1-based): exponential with "equal jitter"
 * (half fixed, half random), so a fleet of retries spreads out instead of arriving together.
 * A Retry-After in seconds (429/503) lengthens the delay, capped at `maxMs`.
 */
export function backoffDelay(
  attempt: number,
  options: BackoffOptions,
  random: () => number = Math.random,
  retryAfter?: string | null,
): number {
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
  const asked = Number.isFinite(seconds) && seconds > 0 ? Math.min(options.maxMs, seconds * 1_000) : 0;
  return Math.round(Math.max(jittered, asked));
}
