import type { PgSchema } from '../postgres/schema-name.ts';
import { type Row, toDevice, toGateway } from './rows.ts';
import { SharedTexts } from './shared-texts.ts';
import type { DeviceRecord, GatewayRecord, RegistryStore } from './store.ts';

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

/**
 * The device registry's persistence in PostgreSQL (one tenant's schema, cluster mode). The registry
 * serves from memory and writes behind (cloud/registry/registry.ts): with two nodes each holds the
 * devices it loaded at start plus what it changed, and the last save of a device wins in the
 * database. Latest values and last-seen times of a device are right when one node ingests a gateway
 * at a time (its connection is on one node); the other nodes take what it saves from NATS in cluster
 * mode (cloud/cluster/cell-sharing.ts), else at their next load.
 */
export class PostgresRegistryStore implements RegistryStore {
  private readonly schema: PgSchema;

  constructor(schema: PgSchema) {
    this.schema = schema;
  }

  async loadDevices(): Promise<DeviceRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(`SELECT * FROM ${this.schema.name}.devices`);
    const texts = new SharedTexts();
    return rows.map((row) => toDevice(row, texts));
  }

  /** One statement, whatever the number of devices: each column is one array parameter. */
  async saveDevices(devices: DeviceRecord[]): Promise<void> {
    if (devices.length === 0) return;
    // One statement may not change a row twice: the last record of a device wins, as it would one by one.
    const unique = [...new Map(devices.map((d) => [d.id, d])).values()];
    const column = <T>(value: (d: DeviceRecord) => T) => unique.map(value);
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.devices
        (id, kind, gateway_id, district, lat, lon, name, provisioned, first_seen, last_seen, latest, latest_ts)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[],
         $7::text[], $8::bool[], $9::text[], $10::text[], $11::text[], $12::text[])
       ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, gateway_id = EXCLUDED.gateway_id,
         district = EXCLUDED.district, lat = EXCLUDED.lat, lon = EXCLUDED.lon, name = EXCLUDED.name,
         provisioned = EXCLUDED.provisioned, first_seen = EXCLUDED.first_seen,
         last_seen = EXCLUDED.last_seen, latest = EXCLUDED.latest, latest_ts = EXCLUDED.latest_ts`,
      [
        column((d) => d.id),
        column((d) => d.kind),
        column((d) => d.gatewayId),
        column((d) => d.district),
        column((d) => d.location?.lat ?? null),
        column((d) => d.location?.lon ?? null),
        column((d) => d.name ?? null),
        column((d) => d.provisioned),
        column((d) => d.firstSeen ?? null),
        column((d) => d.lastSeen ?? null),
        column((d) => JSON.stringify(d.latest)),
        column((d) => d.latestTs ?? null),
      ],
    );
  }

  /** The whole record, as `saveDevices`: one statement either way. */
  saveSeen(devices: DeviceRecord[]): Promise<void> {
    return this.saveDevices(devices);
  }

  async getDevice(id: string): Promise<DeviceRecord | undefined> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.devices WHERE id = $1`,
      [id],
    );
    return rows[0] && toDevice(rows[0]);
  }

  async loadGateways(): Promise<GatewayRecord[]> {
    const { rows } = await this.schema.pool.query<Row>(
      `SELECT * FROM ${this.schema.name}.gateways ORDER BY id`,
    );
    return rows.map(toGateway);
  }

  async saveGateway(g: GatewayRecord): Promise<void> {
    await this.schema.pool.query(
      `INSERT INTO ${this.schema.name}.gateways
        (id, district, lat, lon, name, state, state_since, last_heartbeat, health, config_status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET district = EXCLUDED.district, lat = EXCLUDED.lat, lon = EXCLUDED.lon,
         name = EXCLUDED.name, state = EXCLUDED.state, state_since = EXCLUDED.state_since,
         last_heartbeat = EXCLUDED.last_heartbeat, health = EXCLUDED.health, config_status = EXCLUDED.config_status`,
      [
        g.id,
        g.district ?? null,
        g.location?.lat ?? null,
        g.location?.lon ?? null,
        g.name ?? null,
        g.state,
        g.stateSince ?? null,
        g.lastHeartbeat ?? null,
        json(g.health),
        json(g.configStatus),
      ],
    );
  }
}
