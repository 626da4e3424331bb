import type { DeviceKind } from '../../shared/kinds/index.ts';
import { type DeviceModel, MAX_INTERVAL_MS, type ModelEvent, type Physics, type Step } from './model.ts';

/**
 * Turns device physics into a `DeviceModel`: keeps the clock, splits long gaps into short
 * intervals so that rates and probabilities do not depend on the step size, and implements
 * the stuck-sensor fault (the device keeps living, its sensor keeps repeating the last reading
 * and reports no events).
 */
export function simulate<K extends DeviceKind>(physics: Physics<K>): DeviceModel<K> {
  let last: Date | undefined;
  let stuck = false;
  let frozen: Step<K>['metrics'] | undefined;

  const advanceTo = (now: Date): ModelEvent<K>[] => {
    const events: ModelEvent<K>[] = [];
    if (!last) {
      physics.init?.(now);
      return events;
    }
    if (now.getTime() < last.getTime()) {
      throw new RangeError(`time went backwards: ${now.toISOString()} < ${last.toISOString()}`);
    }
    const span = now.getTime() - last.getTime();
    const intervals = Math.max(1, Math.ceil(span / MAX_INTERVAL_MS));
    let from = last;
    for (let i = 1; i <= intervals; i++) {
      const to = i === intervals ? now : new Date(last.getTime() + (span * i) / intervals);
      physics.advance(from, to, events);
      from = to;
    }
    return events;
  };

  return {
    kind: physics.kind,
    step(now) {
      const events = advanceTo(now);
      last = now;
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
  };
}
