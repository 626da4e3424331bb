import type { FleetDevice } from '../../shared/fleet.ts';
import type { SharedTexts } from './shared-texts.ts';
import { type DeviceRecord, noLatest } from './store.ts';

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

/**
 * A fleet file's device laid over what the store knows of it (last seen, latest values): `known`
 * itself, changed in place, when there is one (a region's restart would otherwise hold its million
 * stored records and their million replacements at once); its shared texts held once.
 */
export function provisionedRecord(
  d: FleetDevice,
  known: DeviceRecord | undefined,
  texts: SharedTexts,
): DeviceRecord {
  const device: DeviceRecord = Object.assign(known ?? { latest: noLatest }, d, { provisioned: true });
  device.kind = texts.of(d.kind);
  device.gatewayId = texts.of(d.gatewayId);
  device.district = texts.of(d.district);
  return device;
}

/**
 * The fleet files' devices laid over the records held (`devices`, by id: a record held changed in
 * place, a new one set), and those of `earlier` the files no longer list withdrawn (no longer
 * provisioned: refused unless learning is on). Returns the records whose stored form this changed,
 * to be written: a restart with the same files changes none. Each fleet device is looked up once
 * (a region's million).
 */
export function layFleetOver(
  devices: Map<string, DeviceRecord>,
  fleet: readonly FleetDevice[],
  earlier: readonly DeviceRecord[],
  texts: SharedTexts,
): DeviceRecord[] {
  const changed: DeviceRecord[] = [];
  for (const d of fleet) {
    const known = devices.get(d.id);
    const changes = changesStored(known, d);
    const device = provisionedRecord(d, known, texts);
    if (device !== known) devices.set(d.id, device);
    if (changes) changed.push(device);
  }
  for (const device of earlier)
    if (device.provisioned) {
      device.provisioned = false;
      changed.push(device);
    }
  return changed;
}
