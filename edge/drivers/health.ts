import type { DriverHealth, DriverState } from '../../shared/driver.ts';
import { driverErrorCode } from '../../shared/driver-health.ts';

/** Which entry a health belongs to: the entry's type and optional name. */
export interface DriverIdentity {
  driver: string;
  name?: string;
}

/** States from best to worst. */
const severity: Record<DriverState, number> = { ok: 0, starting: 1, degraded: 2, failing: 3 };

export function worstState(states: readonly DriverState[]): DriverState {
  return states.reduce<DriverState>((worst, s) => (severity[s] > severity[worst] ? s : worst), 'ok');
}

/** What became of one unit (a device, a connection) in one round. */
export type Outcome = 'ok' | 'partial' | 'failed';

interface UnitState {
  /** Rounds failed in a row. */
  failures: number;
  /** The last round worked only in part (a register refused, a value out of bounds). */
  partial: boolean;
}

/**
 * Counts a driver's errors and says its state from the units it works with (its devices, or its
 * connection). A unit is ok after a round that worked, degraded after one that worked in part or
 * after fewer than `failingAfter` failed rounds in a row, failing after that many. The driver is
 * `starting` until every unit had a round, `failing` when every unit fails, `degraded` when any unit
 * is not ok, else `ok`. Errors are codes (shared/driver-health.ts), never a device's words.
 */
export class HealthTracker {
  private readonly identity: DriverIdentity;
  private readonly failingAfter: number;
  private readonly units = new Map<string, UnitState | undefined>();
  private errors = 0;
  private lastSuccess?: string;
  private lastError?: string;

  constructor(identity: DriverIdentity, units: readonly string[], failingAfter = 3) {
    this.identity = identity;
    this.failingAfter = failingAfter;
    for (const unit of units) this.units.set(unit, undefined);
  }

  /**
   * A round of `unit` ended: `partial` and `failed` count one error each, with its code. `at` is
   * when it read something good; without it (a connection made, nothing read yet) the last
   * success stays as it was.
   */
  record(unit: string, outcome: Outcome, at: Date | undefined, code?: string): void {
    const before = this.units.get(unit);
    if (outcome !== 'ok') this.error(code ?? 'driverError');
    if (outcome !== 'failed' && at) this.lastSuccess = at.toISOString();
    this.units.set(unit, {
      failures: outcome === 'failed' ? (before?.failures ?? 0) + 1 : 0,
      partial: outcome === 'partial',
    });
  }

  /** An error that says nothing about a unit's state (a malformed message): counted, reported. */
  error(code: string): void {
    this.errors++;
    this.lastError = driverErrorCode.safeParse(code).success ? code : 'driverError';
  }

  private unitState(unit: UnitState | undefined): DriverState {
    if (!unit) return 'starting';
    if (unit.failures >= this.failingAfter) return 'failing';
    return unit.failures > 0 || unit.partial ? 'degraded' : 'ok';
  }

  get state(): DriverState {
    const states = [...this.units.values()].map((u) => this.unitState(u));
    if (states.length === 0) return 'ok';
    if (states.every((s) => s === 'failing')) return 'failing';
    if (states.some((s) => s === 'failing' || s === 'degraded')) return 'degraded';
    return states.includes('starting') ? 'starting' : 'ok';
  }

  snapshot(): DriverHealth {
    return {
      ...this.identity,
      state: this.state,
      errors: this.errors,
      ...(this.lastSuccess ? { lastSuccess: this.lastSuccess } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}

/**
 * One health for the drivers an entry built (one per kind): the worst state, the errors added up,
 * the newest success, and the last error of the worst driver that has one.
 */
export function combineHealth(identity: DriverIdentity, healths: readonly DriverHealth[]): DriverHealth {
  const state = healths.length === 0 ? 'starting' : worstState(healths.map((h) => h.state));
  const lastSuccess = healths
    .map((h) => h.lastSuccess)
    .filter((t): t is string => t !== undefined)
    .sort()
    .at(-1);
  const withError = [...healths]
    .filter((h) => h.lastError)
    .sort((a, b) => severity[b.state] - severity[a.state])[0];
  return {
    ...identity,
    state,
    errors: healths.reduce((n, h) => n + h.errors, 0),
    ...(lastSuccess ? { lastSuccess } : {}),
    ...(withError?.lastError ? { lastError: withError.lastError } : {}),
  };
}
