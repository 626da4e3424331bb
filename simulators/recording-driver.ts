import type { DeviceDriver } from '../edge/drivers/driver.ts';
import type { DeviceEvent, Reading } from '../shared/kinds/index.ts';

/** Wraps a driver and keeps a copy of everything it produced: what the devices "published". */
export class RecordingDriver implements DeviceDriver {
  readonly readings: Reading[] = [];
  readonly events: DeviceEvent[] = [];
  private readonly inner: DeviceDriver;
  constructor(inner: DeviceDriver) {
    this.inner = inner;
  }
  get kind() {
    return this.inner.kind;
  }
  get deviceCount() {
    return this.inner.deviceCount;
  }
  has(deviceId: string) {
    return this.inner.has(deviceId);
  }
  execute(...args: Parameters<DeviceDriver['execute']>) {
    return this.inner.execute(...args);
  }
  async poll(now: Date) {
    const result = await this.inner.poll(now);
    this.readings.push(...result.readings);
    this.events.push(...result.events);
    return result;
  }
  close() {
    return this.inner.close();
  }
}
