import type { DeviceDriver } from '../shared/driver.ts';
import type { DeviceEvent, Reading } from '../shared/kinds/index.ts';

/** A driver that passes everything to another one; subclasses change only what they need (`poll`). */
export class DelegatingDriver implements DeviceDriver {
  protected readonly inner: DeviceDriver;
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
  poll(now: Date) {
    return this.inner.poll(now);
  }
  health() {
    return this.inner.health();
  }
  close() {
    return this.inner.close();
  }
}

/** Wraps a driver and keeps a copy of everything it produced: what the devices "published". */
export class RecordingDriver extends DelegatingDriver {
  readonly readings: Reading[] = [];
  readonly events: DeviceEvent[] = [];

  override async poll(now: Date) {
    const result = await this.inner.poll(now);
    this.readings.push(...result.readings);
    this.events.push(...result.events);
    return result;
  }
}
