import { readingLine } from '../cloud/ingest/points.ts';
import type { DeviceKind, Reading } from '../shared/kinds/index.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { GENT } from '../simulators/fleet.ts';
import { sunAltitude } from '../simulators/models/sun.ts';

/**
 * Valid readings for the load generator, cheap to produce at a high rate: per device a JSON head and
 * per kind a pool of pre-serialised metric sets (values inside every schema bound), so a reading is
 * a few string concatenations. Every device's timestamps advance by `stepMs` per reading, so no two
 * readings are the same InfluxDB point (same series and time) and stored count = sent count.
 */
export interface BenchDevice {
  id: string;
  kind: DeviceKind;
  gatewayId: string;
  district: string;
}

const variants = 8;

/**
 * A city in normal operation: no reading meets the condition of a default rule
 * (provisioning/rules/default.json), so the load measures ingestion and rule evaluation, not an alert
 * storm. Lamps are off while the sun is up in Gent and on (or dimmed) otherwise; bins were emptied
 * in the last days, are below 80 % and closed; cameras have a good link.
 */
const sunUp = sunAltitude(new Date(), GENT.location) > 0;
const day = 86_400_000;

export function metricsOf(kind: DeviceKind, i: number): Reading['metrics'] {
  const f = (base: number, spread: number) =>
    Math.round((base + spread * Math.sin(i * 1.7 + base)) * 1000) / 1000;
  switch (kind) {
    case 'streetlight':
      return {
        powerState: sunUp ? 'off' : i % 3 === 0 ? 'low' : 'on',
        dimmingLevel: sunUp ? 0 : i % 3 === 0 ? 50 : 100,
        activePower: sunUp ? f(0.5, 0.2) : f(60, 20),
        energyConsumed: f(12_000, 500),
        voltage: f(230, 4),
        current: sunUp ? f(0.003, 0.001) : f(0.26, 0.08),
        powerFactor: f(0.93, 0.04),
        status: 'ok',
        ambientLight: sunUp ? f(9_000, 5_000) : f(4, 3),
        operatingHours: f(20_000, 900),
      };
    case 'wasteBin':
      return {
        fillingLevel: f(40, 30),
        temperature: f(14, 6),
        tiltAngle: f(3, 2),
        lidOpen: false,
        batteryLevel: f(80, 15),
        status: 'ok',
        dateLastEmptying: new Date(Math.floor(Date.now() / day - 1 - (i % 4)) * day).toISOString(),
      };
    case 'camera':
      return {
        streamStatus: 'online',
        peopleCount: 20 + i * 7,
        crowdDensity: f(0.4, 0.3),
        occupancy: f(30, 20),
        vehicleCount: 10 + i * 3,
        averageVehicleSpeed: f(35, 10),
        rsrp: f(-90, 10),
        sinr: f(15, 8),
        uplinkBitrate: f(4_000, 1_500),
        latency: f(20, 10),
        tamperDetected: false,
      };
  }
}

const metricJson: Record<DeviceKind, string[]> = {
  streetlight: [],
  wasteBin: [],
  camera: [],
};
for (const kind of Object.keys(metricJson) as DeviceKind[])
  for (let i = 0; i < variants; i++) metricJson[kind].push(JSON.stringify(metricsOf(kind, i)));

/** A field that every point of the kind's measurement has (for COUNT queries). */
export const countField: Record<DeviceKind, string> = {
  streetlight: 'activePower',
  wasteBin: 'fillingLevel',
  camera: 'peopleCount',
};

/** Readings of a set of devices, round robin, with per-device increasing timestamps from `tsBase`. */
export class ReadingSource {
  private readonly devices: BenchDevice[];
  private readonly heads: string[];
  private readonly seq: number[];
  private readonly tsBase: number;
  private readonly stepMs: number;
  private next = 0;
  /** Per device and variant, the line protocol of the point the cloud writes, without its timestamp. */
  private lineHeads?: string[][];

  constructor(devices: BenchDevice[], tsBase: number, stepMs = 1_000) {
    if (devices.length === 0) throw new Error('a reading source needs devices');
    this.devices = devices;
    this.heads = devices.map((d) => `{"deviceId":${JSON.stringify(d.id)},"kind":"${d.kind}","ts":"`);
    this.seq = devices.map(() => 0);
    this.tsBase = tsBase;
    this.stepMs = stepMs;
  }

  private advance(): { index: number; device: BenchDevice; ts: number; variant: number } {
    const index = this.next;
    this.next = (index + 1) % this.devices.length;
    const seq = this.seq[index] as number;
    this.seq[index] = seq + 1;
    return {
      index,
      device: this.devices[index] as BenchDevice,
      ts: this.tsBase + seq * this.stepMs,
      variant: (seq + index) % variants,
    };
  }

  /** One reading as JSON. */
  json(): string {
    const { index, device, ts, variant } = this.advance();
    const metrics = metricJson[device.kind][variant] as string;
    return `${this.heads[index]}${new Date(ts).toISOString()}","metrics":${metrics}}`;
  }

  /** A TelemetryBatch (shared/messages.ts) of `size` readings, as the gateway would publish it. */
  batch(gatewayId: string, batchId: string, size: number): string {
    const readings: string[] = new Array(size);
    for (let i = 0; i < size; i++) readings[i] = this.json();
    return `{"v":1,"gatewayId":"${gatewayId}","sentAt":"${new Date().toISOString()}","batchId":"${batchId}","readings":[${readings.join(',')}]}`;
  }

  /** One point in line protocol, exactly as the cloud serialises it (ms precision). */
  line(): string {
    this.lineHeads ??= this.devices.map((d) =>
      Array.from({ length: variants }, (_, v) => {
        const reading = {
          deviceId: d.id,
          kind: d.kind,
          ts: new Date(0).toISOString(),
          metrics: JSON.parse(metricJson[d.kind][v] as string),
        } as Reading;
        return readingLine(reading, d).replace(/ 0$/, ' ');
      }),
    );
    const { index, ts, variant } = this.advance();
    return `${this.lineHeads[index]?.[variant]}${ts}`;
  }
}

export const telemetryTopic = (gatewayId: string) => gatewayTopic(gatewayId, 'telemetry');
