import type { FleetFile } from '../../shared/fleet.ts';
import type { DeviceKind } from '../../shared/kinds/index.ts';

/**
 * `fleet` with more devices provisioned, each in its gateway's district and place: a test's own
 * device ids, which the cloud refuses (`unknown-device`) unless the fleet files list them.
 */
export function withDevices(
  fleet: FleetFile,
  devices: { id: string; kind: DeviceKind; gatewayId: string }[],
): FleetFile {
  const added = devices.map(({ id, kind, gatewayId }) => {
    const gateway = fleet.gateways.find((g) => g.id === gatewayId);
    if (!gateway) throw new Error(`withDevices: gateway ${gatewayId} of device ${id} is not in the fleet`);
    return { id, kind, gatewayId, district: gateway.district, location: gateway.location };
  });
  return { ...fleet, devices: [...fleet.devices, ...added] };
}
