import type { DriverHealth } from '../../../shared/driver-health.ts';

/** The broker connection: not yet answered, up, or unreachable. */
export type Link = 'starting' | 'up' | 'down';

/** Errors and successes of one part of a driver entry (a kind's devices, or the entry as a whole). */
export class HealthCounter {
  errors = 0;
  lastSuccess?: Date;
  lastError?: { at: Date; code: string };

  success(at: Date): void {
    this.lastSuccess = at;
  }

  /** Counts an error; `code` is enumerated (shared/driver-health.ts), never a payload. */
  failure(at: Date, code: string): void {
    this.errors++;
    this.lastError = { at, code };
  }
}

/**
 * The health of one driver of a chirpstack entry (the drivers contract): `starting` until the broker
 * first answers, `failing` while it is unreachable, `degraded` while the latest message or command
 * of its counters failed, `ok` otherwise. The agent adds up the drivers of an entry, so each error is
 * in exactly one driver's counters.
 */
export function healthOf(
  identity: { driver: string; name?: string },
  link: Link,
  counters: readonly HealthCounter[],
): DriverHealth {
  const latest = <T>(values: (T | undefined)[], at: (value: T) => Date) =>
    values.reduce<T | undefined>(
      (a, b) => (b !== undefined && (a === undefined || at(b) > at(a)) ? b : a),
      undefined,
    );
  const lastSuccess = latest(
    counters.map((c) => c.lastSuccess),
    (d) => d,
  );
  const lastError = latest(
    counters.map((c) => c.lastError),
    (e) => e.at,
  );
  const failedLast = lastError !== undefined && (lastSuccess === undefined || lastError.at >= lastSuccess);
  const state =
    link === 'down' ? 'failing' : link === 'starting' ? 'starting' : failedLast ? 'degraded' : 'ok';
  return {
    driver: identity.driver,
    ...(identity.name !== undefined ? { name: identity.name } : {}),
    state,
    errors: counters.reduce((n, c) => n + c.errors, 0),
    ...(lastSuccess ? { lastSuccess: lastSuccess.toISOString() } : {}),
    ...(lastError ? { lastError: lastError.code } : {}),
  };
}
