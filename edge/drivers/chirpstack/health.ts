import type { DriverHealth } from '../../../shared/driver.ts';

/**
 * What a driver entry reports in the heartbeat (the drivers contract): `starting` until its broker
 * first answers, `failing` while the broker is unreachable, `degraded` while the latest message or
 * command failed, `ok` otherwise; errors counted since the agent started.
 */
export class HealthTracker {
  private readonly driver: string;
  private readonly name?: string;
  private connected = false;
  private unreachable = false;
  private errors = 0;
  private lastSuccess?: Date;
  private lastError?: { at: Date; text: string };

  constructor(driver: string, name?: string) {
    this.driver = driver;
    this.name = name;
  }

  get errorCount(): number {
    return this.errors;
  }

  connection(up: boolean): void {
    this.connected = up;
    this.unreachable = !up;
  }

  success(at: Date): void {
    this.lastSuccess = at;
  }

  /** Counts an error: `code` is enumerated, `context` names where (a device, a model), never a payload. */
  failure(at: Date, code: string, context?: string): void {
    this.errors++;
    this.lastError = { at, text: (context ? `${code} (${context})` : code).slice(0, 200) };
  }

  snapshot(): DriverHealth {
    const failedLast =
      this.lastError !== undefined &&
      (this.lastSuccess === undefined || this.lastError.at >= this.lastSuccess);
    const state = this.unreachable
      ? 'failing'
      : !this.connected
        ? 'starting'
        : failedLast
          ? 'degraded'
          : 'ok';
    return {
      driver: this.driver,
      ...(this.name !== undefined ? { name: this.name } : {}),
      state,
      errors: this.errors,
      ...(this.lastSuccess ? { lastSuccess: this.lastSuccess.toISOString() } : {}),
      ...(this.lastError ? { lastError: this.lastError.text } : {}),
    };
  }
}
