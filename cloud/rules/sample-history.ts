import type { MetricValue, Reading } from '../../shared/kinds/index.ts';
import type { DeviceFacts } from './conditions.ts';

const none: DeviceFacts['history'] = Object.freeze({});

/**
 * Recent samples of the metrics some rule looks back over (aggregates, rates of change), per device
 * and metric, oldest first, trimmed to the longest window of the rules on that metric.
 */
export class SampleHistory {
  private readonly samples = new Map<string, Record<string, { t: number; v: number }[]>>();

  /** A device's samples by metric (empty when it has none). */
  of(deviceId: string): DeviceFacts['history'] {
    return this.samples.get(deviceId) ?? none;
  }

  /** Takes in a reading's values of the metrics in `windows` (metric → longest window, ms). */
  remember(reading: Reading, windows: Map<string, number>): void {
    // Stryker disable next-line ConditionalExpression: a shortcut; the loop below does nothing either
    if (windows.size === 0) return;
    const t = Date.parse(reading.ts);
    const metrics = reading.metrics as Record<string, MetricValue | undefined>;
    for (const [metric, window] of windows) {
      const value = metrics[metric];
      if (typeof value !== 'number') continue;
      let perDevice = this.samples.get(reading.deviceId);
      if (!perDevice) {
        perDevice = {};
        this.samples.set(reading.deviceId, perDevice);
      }
      // Samples are kept in time order: a reading is usually the newest, so it is inserted at or near
      // the end, and those that fell out of the window are a prefix.
      const samples = perDevice[metric] ?? [];
      let at = samples.length;
      while (at > 0 && (samples[at - 1] as { t: number }).t > t) at--;
      // Stryker disable next-line ConditionalExpression: splicing at the end is pushing, only slower
      if (at === samples.length) samples.push({ t, v: value });
      else samples.splice(at, 0, { t, v: value });
      let expired = 0;
      // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
      while (expired < samples.length && (samples[expired] as { t: number }).t <= t - window) expired++;
      // Stryker disable next-line all: history trimming only bounds memory: conditions read only the samples inside the window ending now
      if (expired > 0) samples.splice(0, expired);
      perDevice[metric] = samples;
    }
  }
}
