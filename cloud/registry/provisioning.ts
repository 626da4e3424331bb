import type { FleetDevice } from '../../shared/fleet.ts';
import type { DeviceRecord } from './store.ts';

/**
 * Whether provisioning `fleet` changes what the store holds of the device (`stored`): what the fleet
 * file says of it (kind, gateway, district, position, name) or that it is provisioned. A region's
 * restart finds a million devices unchanged and writes none of them again.
 */
export function changesStored(stored: DeviceRecord | undefined, fleet: FleetDevice): boolean {
  return (
    stored === undefined ||
    !stored.provisioned ||
    stored.kind !== fleet.kind ||
    stored.gatewayId !== fleet.gatewayId ||
    stored.district !== fleet.district ||
    stored.name !== fleet.name ||
    stored.location?.lat !== fleet.location.lat ||
    stored.location?.lon !== fleet.location.lon
  );
}
