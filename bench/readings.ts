import { readingLine } from '../cloud/ingest/points.ts';
import type { FleetFile } from '../shared/fleet.ts';
import { type DeviceKind, deviceKind, type Reading } from '../shared/kinds/index.ts';
import { gatewayTopic } from '../shared/topics.ts';
import { GENT } from '../simulators/fleet.ts';
import { simulatedKinds } from '../simulators/kinds/index.ts';
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
 * (provisioning/kinds/<kind>/rules.json), so the load measures ingestion and rule evaluation, not an
 * alert storm. Each kind's simulator says what its devices send then (`quietMetrics`): lamps are
 * off while the sun is up in Gent and on (or dimmed) otherwise, and so on.
 */
const at = { now: new Date(), sunUp: sunAltitude(new Date(), GENT.location) > 0 };

export function metricsOf(kind: DeviceKind, i: number): Reading['metrics'] {
  return simulatedKinds[kind].quietMetrics(i, at);
}

const metricJson = Object.fromEntries(
  deviceKind.options.map((kind) => [
    kind,
    Array.from({ length: variants }, (_, i) => JSON.stringify(metricsOf(kind, i))),
  ]),
) as Record<DeviceKind, string[]>;

/** A field that every point of the kind's measurement has (for COUNT queries): the first numeric one. */
export const countField = Object.fromEntries(
  deviceKind.options.map((kind) => [
    kind,
    Object.entries(metricsOf(kind, 0)).find(([, value]) => typeof value === 'number')?.[0] ?? '',
  ]),
) as Record<DeviceKind, string>;

/**
 * The kind the latency and alert benchmarks send: the first with a probe (a numeric metric, its
 * normal value and an alarming one).
 */
export const probeKind = (() => {
  const simulated = Object.values(simulatedKinds).find((k) => k.probe);
  if (!simulated?.probe) throw new Error('no simulated kind declares a benchmark probe');
  return { kind: simulated.kind, ...simulated.probe, metrics: metricsOf(simulated.kind, 1) };
})();

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

/** The load generator's gateways: each of `gateways` with its devices from the fleet, and its secret. */
export function gatewaysWithDevices<G extends { id: string }>(
  fleet: Pick<FleetFile, 'devices'>,
  gateways: readonly G[],
  secretOf: (gatewayId: string) => string,
): { id: string; secret: string; devices: BenchDevice[] }[] {
  return gateways.map((g) => ({
    id: g.id,
    secret: secretOf(g.id),
    devices: fleet.devices.filter((d) => d.gatewayId === g.id) as BenchDevice[],
  }));
}
