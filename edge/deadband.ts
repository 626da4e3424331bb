import type { MetricValue, Reading } from '../shared/kinds/index.ts';

export interface DeadbandSettings {
  /** Per metric: the change a number must exceed to be worth sending; other metrics send on any change. */
  deadband: Record<string, number>;
  maxSilenceMs: number;
}

function moved(
  name: string,
  value: MetricValue,
  previous: MetricValue | undefined,
  deadband: Record<string, number>,
) {
  if (typeof value === 'number' && typeof previous === 'number') {
    return Math.abs(value - previous) > (deadband[name] ?? 0);
  }
  return value !== previous;
}

/**
 * Report-by-exception: keeps a device's reading only when some metric moved past its deadband since
 * the last reading sent, or when the device has been silent for `maxSilenceMs`.
 */
export class DeadbandFilter {
  private readonly lastSent = new Map<string, { metrics: Record<string, MetricValue>; at: number }>();

  filter(readings: Reading[], settings: DeadbandSettings | undefined): Reading[] {
    if (!settings) return readings;
    return readings.filter((reading) => {
      const at = Date.parse(reading.ts);
      const metrics = reading.metrics as Record<string, MetricValue>;
      const last = this.lastSent.get(reading.deviceId);
      const send =
        !last ||
        at - last.at >= settings.maxSilenceMs ||
        Object.entries(metrics).some(([name, value]) =>
          moved(name, value, last.metrics[name], settings.deadband),
        );
      if (send) this.lastSent.set(reading.deviceId, { metrics, at });
      return send;
    });
  }
}
