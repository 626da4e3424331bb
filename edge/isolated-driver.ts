import type { Logger } from 'pino';
import type { CommandExecution, DeviceDriver, DriverHealth } from '../shared/driver.ts';
import { driverHealth } from '../shared/driver-health.ts';
import type { DeviceCommand, DeviceEvent, Reading } from '../shared/kinds/index.ts';
import type { DriverIdentity } from './drivers/health.ts';

/** What the agent does with a driver; the isolation is this class's whole job. */
export interface IsolationOptions {
  /** A poll, command or close that has not ended after this long is abandoned. */
  deadlineMs: number;
  log: Logger;
}

const empty = { readings: [] as Reading[], events: [] as DeviceEvent[] };

class DeadlineExceeded extends Error {}

/**
 * A driver as the agent runs it: a poll that throws, or has not ended by its deadline, yields
 * nothing, is counted, and makes the driver `failing` until a poll ends well; while a poll still
 * runs, the next is not started (counted only once the running one is past its deadline). The
 * other drivers and the agent go on.
 * A command past its deadline fails (the command handler answers `driverError`); a close past its
 * deadline is given up. The health it reports is the driver's own plus what it counted, and always
 * fits the heartbeat's schema.
 */
export class IsolatedDriver implements DeviceDriver {
  private readonly inner: DeviceDriver;
  /** The entry it was built from; drivers given in code report their own. */
  private readonly identity?: DriverIdentity;
  private readonly options: IsolationOptions;
  /** The poll under way, since when, and whether it was abandoned past its deadline. */
  private running?: { poll: Promise<unknown>; since: number; overdue: boolean };
  private failedLastPoll = false;
  private errors = 0;
  private lastError?: string;

  constructor(inner: DeviceDriver, identity: DriverIdentity | undefined, options: IsolationOptions) {
    this.inner = inner;
    this.identity = identity;
    this.options = options;
  }

  get kind() {
    return this.inner.kind;
  }

  get deviceCount(): number {
    return this.inner.deviceCount;
  }

  has(deviceId: string): boolean {
    return this.inner.has(deviceId);
  }

  async poll(now: Date): Promise<{ readings: Reading[]; events: DeviceEvent[] }> {
    if (this.running) {
      // Slower than the interval but within its deadline: skipped, not a fault. Past it: hung.
      // Overdue once its deadline passed: the deadline's timer may fire a millisecond before the clock says so.
      if (this.running.overdue || Date.now() - this.running.since >= this.options.deadlineMs)
        this.fail('pollStillRunning', 'poll skipped: the previous one still runs past its deadline');
      return empty;
    }
    const poll = Promise.resolve().then(() => this.inner.poll(now));
    const running = { poll, since: Date.now(), overdue: false };
    this.running = running;
    void poll.then(
      () => this.settled(poll),
      () => this.settled(poll),
    );
    try {
      const result = await this.withDeadline(poll);
      this.failedLastPoll = false;
      return result;
    } catch (error) {
      if (error instanceof DeadlineExceeded) {
        running.overdue = true;
        this.fail('pollDeadline', 'poll abandoned past its deadline');
      } else this.fail('pollThrew', 'poll threw', error);
      return empty;
    }
  }

  private settled(poll: Promise<unknown>): void {
    if (this.running?.poll === poll) this.running = undefined;
  }

  async execute(deviceId: string, command: DeviceCommand['command'], now: Date): Promise<CommandExecution> {
    try {
      return await this.withDeadline(
        Promise.resolve().then(() => this.inner.execute(deviceId, command, now)),
      );
    } catch (error) {
      const code = error instanceof DeadlineExceeded ? 'commandDeadline' : 'commandThrew';
      this.errors++;
      this.lastError = code;
      throw error;
    }
  }

  health(): DriverHealth {
    let own: DriverHealth;
    try {
      own = this.inner.health();
    } catch (error) {
      this.options.log.error({ err: error, ...this.identity }, 'driver health threw');
      own = { driver: 'unknown', ...this.identity, state: 'failing', errors: 0, lastError: 'healthThrew' };
    }
    const merged = {
      ...own,
      ...this.identity,
      state: this.failedLastPoll ? 'failing' : own.state,
      errors: own.errors + this.errors,
      ...(this.failedLastPoll && this.lastError ? { lastError: this.lastError } : {}),
      ...(own.lastError === undefined && this.lastError ? { lastError: this.lastError } : {}),
    };
    const checked = driverHealth.safeParse(merged);
    if (checked.success) return checked.data;
    // A driver reported what the heartbeat cannot carry (an error sentence, a bad count): the
    // heartbeat must still go out, so the driver is shown failing with a code that says so.
    const identity = this.identity ?? { driver: 'unknown' };
    return { ...identity, state: 'failing', errors: this.errors, lastError: 'invalidHealth' };
  }

  async close(): Promise<void> {
    try {
      await this.withDeadline(Promise.resolve().then(() => this.inner.close()));
    } catch (error) {
      this.options.log.error({ err: error, ...this.identity }, 'driver did not close cleanly');
    }
  }

  private fail(code: string, message: string, error?: unknown): void {
    this.errors++;
    this.lastError = code;
    this.failedLastPoll = true;
    this.options.log.error({ err: error, ...this.identity, kind: this.kind }, message);
  }

  private withDeadline<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DeadlineExceeded()), this.options.deadlineMs);
    });
    return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
  }
}
