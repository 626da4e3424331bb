import { type DeviceRecord, type GatewayRecord, noLatest } from './store.ts';

/** A registry row as SQLite and PostgreSQL return it, turned into its record. */
export type Row = Record<string, unknown>;

const optional = (value: unknown) => (value === null || value === undefined ? undefined : String(value));

export function toDevice(row: Row): DeviceRecord {
  return {
    id: String(row.id),
    kind: row.kind as DeviceRecord['kind'],
    gatewayId: String(row.gateway_id),
    district: String(row.district),
    location: row.lat === null ? undefined : { lat: Number(row.lat), lon: Number(row.lon) },
    name: optional(row.name),
    // SQLite keeps a boolean as 1 or 0, PostgreSQL as a boolean.
    provisioned: row.provisioned === 1 || row.provisioned === true,
    firstSeen: optional(row.first_seen),
    lastSeen: optional(row.last_seen),
    latest: row.latest === '{}' ? noLatest : JSON.parse(String(row.latest)),
    latestTs: optional(row.latest_ts),
  };
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
