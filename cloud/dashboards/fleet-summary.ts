import { type DeviceKind, kinds } from '../../shared/kinds/index.ts';
import type { DeviceView } from '../registry/registry.ts';
import type { GatewayRecord } from '../registry/store.ts';

export interface SummaryOptions {
  /** Filling level (%) at which a bin must be emptied. */
  binThreshold: number;
  /** A bin not emptied for this long is due even if not full. */
  maxDaysWithoutEmptying: number;
  now: Date;
}

/** Whether a device's latest values say it works, by its kind's own rule. */
export function isHealthy(device: { kind: DeviceKind; latest: Record<string, unknown> }): boolean {
  return (kinds[device.kind].healthy as (latest: Record<string, unknown>) => boolean)(device.latest);
}

export function binIsDue(device: DeviceView, options: SummaryOptions): boolean {
  const fill = device.latest.fillingLevel;
  if (typeof fill === 'number' && fill >= options.binThreshold) return true;
  const emptied = device.latest.dateLastEmptying;
  const limit = options.maxDaysWithoutEmptying * 86_400_000;
  return typeof emptied === 'string' && options.now.getTime() - Date.parse(emptied) > limit;
}

const count = (devices: DeviceView[], test: (d: DeviceView) => boolean) => devices.filter(test).length;

/** KPIs of one set of devices (a district, or the whole city) from the registry's latest values. */
export function kindFigures(devices: DeviceView[], options: SummaryOptions) {
  const of = (kind: DeviceKind) => devices.filter((d) => d.kind === kind);
  const lamps = of('streetlight');
  const bins = of('wasteBin');
  const cameras = of('camera');
  const online = (d: DeviceView) => d.status === 'online';
  return {
    streetlight: {
      total: lamps.length,
      online: count(lamps, online),
      on: count(lamps, (d) => d.latest.powerState === 'on' || d.latest.powerState === 'low'),
      off: count(lamps, (d) => d.latest.powerState === 'off'),
      faulty: count(lamps, (d) => !isHealthy(d)),
    },
    wasteBin: {
      total: bins.length,
      online: count(bins, online),
      aboveThreshold: count(
        bins,
        (d) => typeof d.latest.fillingLevel === 'number' && d.latest.fillingLevel >= options.binThreshold,
      ),
      dueForCollection: count(bins, (d) => binIsDue(d, options)),
      fireRisk: count(bins, (d) => d.latest.status === 'burning'),
    },
    camera: {
      total: cameras.length,
      online: count(cameras, online),
      streaming: count(cameras, (d) => online(d) && d.latest.streamStatus === 'online'),
      tampered: count(cameras, (d) => d.latest.tamperDetected === true),
    },
  };
}

export function gatewayFigures(gateways: GatewayRecord[]) {
  return { total: gateways.length, online: gateways.filter((g) => g.state === 'online').length };
}
