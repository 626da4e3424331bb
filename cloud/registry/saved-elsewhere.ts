import type { z } from 'zod';
import type { DeviceIndex } from './device-index.ts';
import { type DeviceRecord, deviceRecord, type GatewayRecord, ownLatest } from './store.ts';
import { isOlder } from './timestamps.ts';

/** What readings change in a device's record: what the registry flushes every second. */
export const deviceSeen = deviceRecord.pick({
  id: true,
  firstSeen: true,
  lastSeen: true,
  latest: true,
  latestTs: true,
});
export type DeviceSeen = z.infer<typeof deviceSeen>;

/** What a registry saves while it runs (not its load), for the other nodes of a cluster to take in. */
export interface RegistrySaves {
  /** Devices learned or admitted: the whole record. */
  devices: readonly DeviceRecord[];
  /** Devices heard from: what their readings changed. */
  seen: readonly DeviceSeen[];
  gateways: readonly GatewayRecord[];
}

/** Whether timestamp `a` is set and after `b` (or `b` is not set). */
const later = (a: string | undefined, b: string | undefined): a is string =>
  a !== undefined && (b === undefined || isOlder(b, a));

/** Whether timestamp `a` is set and before `b` (or `b` is not set). */
const earlier = (a: string | undefined, b: string | undefined): a is string =>
  a !== undefined && (b === undefined || isOlder(a, b));

/**
 * Takes into `local` what another node saved of the same device: what the device is (kind, gateway,
 * district, place, name, provisioned) as that node has it, the last save winning as in the store, and
 * what it saw where newer (`takeNewerSeen`). Returns whether a field the device index sorts by (kind,
 * district, gateway) changed.
 */
export function takeNewerDevice(local: DeviceRecord, remote: Readonly<DeviceRecord>): boolean {
  const reindex =
    local.kind !== remote.kind || local.district !== remote.district || local.gatewayId !== remote.gatewayId;
  local.kind = remote.kind;
  local.gatewayId = remote.gatewayId;
  local.district = remote.district;
  local.location = remote.location;
  local.name = remote.name;
  local.provisioned = remote.provisioned;
  takeNewerSeen(local, remote);
  return reindex;
}

/**
 * Takes into `local` what another node saw of the same device where newer: the last-seen time, the
 * latest values (by reading timestamp, merged as `recordReadings` merges them), the earliest first-seen.
 */
export function takeNewerSeen(local: DeviceRecord, remote: Readonly<DeviceSeen>): void {
  if (earlier(remote.firstSeen, local.firstSeen)) local.firstSeen = remote.firstSeen;
  if (later(remote.lastSeen, local.lastSeen)) local.lastSeen = remote.lastSeen;
  if (remote.latestTs !== undefined && !earlier(remote.latestTs, local.latestTs ?? remote.latestTs)) {
    Object.assign(ownLatest(local), remote.latest);
    local.latestTs = remote.latestTs;
  }
}

/**
 * Takes into `local` what another node saved of the same gateway: where it is and its name, and each
 * part it reported where newer: its state (by `stateSince`), its last heartbeat and health, its
 * configuration status (by the gateway's timestamp). A gateway that moved to this node keeps the
 * state it reported here, whichever node's save arrives last.
 */
export function takeNewerGateway(local: GatewayRecord, remote: Readonly<GatewayRecord>): void {
  local.district = remote.district;
  local.location = remote.location;
  local.name = remote.name;
  if (later(remote.stateSince, local.stateSince)) {
    local.state = remote.state;
    local.stateSince = remote.stateSince;
  }
  if (later(remote.lastHeartbeat, local.lastHeartbeat)) {
    local.lastHeartbeat = remote.lastHeartbeat;
    local.health = remote.health;
  }
  if (later(remote.configStatus?.ts, local.configStatus?.ts)) local.configStatus = remote.configStatus;
}

/**
 * Takes another node's saves of devices into `devices` (by id) and their `index`: a record new here
 * added, one known taken in where newer (`takeNewerDevice`, `takeNewerSeen`); what was seen of a
 * device unknown here is left (it comes with the device's record, or the next load). Returns the
 * records changed in place.
 */
export function takeSavedDevices(
  devices: Map<string, DeviceRecord>,
  index: Pick<DeviceIndex, 'add' | 'seen' | 'rebuild'>,
  saved: Pick<RegistrySaves, 'devices' | 'seen'>,
): DeviceRecord[] {
  let reindex = false;
  const changed: DeviceRecord[] = [];
  for (const remote of saved.devices) {
    const local = devices.get(remote.id);
    if (local) {
      reindex = takeNewerDevice(local, remote) || reindex;
      index.seen(local);
      changed.push(local);
    } else {
      devices.set(remote.id, remote);
      if (!reindex) index.add(remote);
    }
  }
  if (reindex) index.rebuild(devices.values());
  for (const seen of saved.seen) {
    const local = devices.get(seen.id);
    if (local) {
      takeNewerSeen(local, seen);
      index.seen(local);
      changed.push(local);
    }
  }
  return changed;
}
