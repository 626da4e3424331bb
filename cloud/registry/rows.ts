import type { SharedTexts } from './shared-texts.ts';
import { type DeviceRecord, type GatewayRecord, latestValues, noLatest } from './store.ts';

/** A registry row as SQLite and PostgreSQL return it, turned into its record. */
export type Row = Record<string, unknown>;

const optional = (value: unknown) => (value === null || value === undefined ? undefined : String(value));

/**
 * A device's record from its row; an optional field the row leaves empty is left out, not kept as
 * undefined. With `texts` (a whole registry's load), kind, gateway and district are held once: a
 * region's million rows otherwise bring three strings each.
 */
export function toDevice(row: Row, texts?: SharedTexts): DeviceRecord {
  const shared = <T extends string>(text: T) => (texts ? texts.of(text) : text);
  const device: DeviceRecord = {
    id: String(row.id),
    kind: shared(row.kind as DeviceRecord['kind']),
    gatewayId: shared(String(row.gateway_id)),
    district: shared(String(row.district)),
    // SQLite keeps a boolean as 1 or 0, PostgreSQL as a boolean.
    provisioned: row.provisioned === 1 || row.provisioned === true,
    latest: row.latest === '{}' ? noLatest : latestValues(JSON.parse(String(row.latest))),
  };
  if (row.lat !== null) device.location = { lat: Number(row.lat), lon: Number(row.lon) };
  if (row.name !== null && row.name !== undefined) device.name = String(row.name);
  if (row.first_seen !== null && row.first_seen !== undefined) device.firstSeen = String(row.first_seen);
  if (row.last_seen !== null && row.last_seen !== undefined) device.lastSeen = String(row.last_seen);
  if (row.latest_ts !== null && row.latest_ts !== undefined) device.latestTs = String(row.latest_ts);
  return device;
}

export function toGateway(row: Row): GatewayRecord {
  return {
    id: String(row.id),
    district: optional(row.district),
    location: row.lat === null ? undefined : { lat: Number(row.lat), lon: Number(row.lon) },
    name: optional(row.name),
    state: row.state as GatewayRecord['state'],
    stateSince: optional(row.state_since),
    lastHeartbeat: optional(row.last_heartbeat),
    health: row.health === null ? undefined : JSON.parse(String(row.health)),
    configStatus: row.config_status === null ? undefined : JSON.parse(String(row.config_status)),
  };
}
