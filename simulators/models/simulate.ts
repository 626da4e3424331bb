import type { DeviceKind } from '../../shared/kinds/index.ts';
import { type DeviceModel, MAX_INTERVAL_MS, type ModelEvent, type Physics, type Step } from './model.ts';

/**
 * Turns device physics into a `DeviceModel`: keeps the clock, splits long gaps into short
 * intervals so that rates and probabilities do not depend on the step size, forwards commands
 * (events up to and caused by a command wait for the next step), and implements the stuck-sensor
 * fault (the device keeps living and obeying, its sensor keeps repeating the last reading and
 * reports no events) and the injection of a problem in progress (a physics' `faults`).
 */
export function simulate<K extends DeviceKind>(physics: Physics<K>): DeviceModel<K> {
  let last: Date | undefined;
  let stuck = false;
  let frozen: Step<K>['metrics'] | undefined;
  let pending: ModelEvent<K>[] = [];
  /** Injected faults, set up right after the first step's initialisation. */
  const injected: ((now: Date) => void)[] = [];

  const advanceTo = (now: Date): void => {
    if (!last) {
      physics.init?.(now);
      for (const setUp of injected) setUp(now);
      last = now;
      return;
    }
    if (now.getTime() < last.getTime()) {
      throw new RangeError(`time went backwards: ${now.toISOString()} < ${last.toISOString()}`);
    }
    const span = now.getTime() - last.getTime();
    const intervals = Math.ceil(span / MAX_INTERVAL_MS);
    let from = last;
    for (let i = 1; i <= intervals; i++) {
      const to = i === intervals ? now : new Date(last.getTime() + (span * i) / intervals);
      physics.advance(from, to, pending);
      from = to;
    }
    last = now;
  };

  return {
    kind: physics.kind,
    step(now) {
      advanceTo(now);
      const events = pending;
      pending = [];
      const metrics = physics.read(now);
      if (stuck && frozen) return { metrics: { ...frozen }, events: [] };
      frozen = metrics;
      return { metrics: { ...metrics }, events };
    },
    stick() {
      stuck = true;
    },
    unstick() {
      stuck = false;
    },
    inject(fault) {
      const setUp = physics.faults?.[fault];
      if (!setUp) {
        const known = Object.keys(physics.faults ?? {}).join(', ') || 'none';
        throw new Error(`a ${physics.kind} has no fault "${fault}" (its faults: ${known})`);
      }
      if (last) setUp(last);
      else injected.push(setUp);
    },
    command(command, now) {
      advanceTo(now);
      return physics.command?.(command, now, pending) ?? { status: 'succeeded' };
    },
  };
}
