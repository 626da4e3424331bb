import type { FleetFile } from '../../shared/fleet.ts';
import type { ConfigStatus, GatewayHeartbeat, GatewayStatus } from '../../shared/messages.ts';
import { takeNewerGateway } from './saved-elsewhere.ts';
import type { GatewayRecord } from './store.ts';

/**
 * The registry's gateways: what the fleet files say of each and what it last reported (state,
 * heartbeat and health, configuration status). Each change is handed to `save`, which writes it
 * behind (and in cluster mode tells the other nodes).
 */
export class GatewayRecords {
  private readonly records = new Map<string, GatewayRecord>();
  private readonly options: { now: () => Date; save: (gateway: GatewayRecord) => void };

  constructor(options: GatewayRecords['options']) {
    this.options = options;
  }

  get size(): number {
    return this.records.size;
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  get(id: string): GatewayRecord | undefined {
    return this.records.get(id);
  }

  /** By id. */
  list(): GatewayRecord[] {
    return [...this.records.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Holds a stored record as it is (the load), without saving it again. */
  hold(gateway: GatewayRecord): void {
    this.records.set(gateway.id, gateway);
  }

  /** A fleet file's gateway over what is known of it (state, health); saved. */
  provision(g: FleetFile['gateways'][number], known: GatewayRecord | undefined): void {
    const gateway: GatewayRecord = { ...(known ?? { state: 'unknown' }), ...g };
    this.records.set(g.id, gateway);
    this.options.save(gateway);
  }

  recordStatus(status: GatewayStatus): void {
    const gateway = this.gateway(status.gatewayId);
    if (gateway.state !== status.state) gateway.stateSince = this.options.now().toISOString();
    gateway.state = status.state;
    this.options.save(gateway);
  }

  recordHeartbeat(heartbeat: GatewayHeartbeat): void {
    const gateway = this.gateway(heartbeat.gatewayId);
    const { v: _v, gatewayId: _id, ...health } = heartbeat;
    gateway.lastHeartbeat = this.options.now().toISOString();
    gateway.health = health;
    this.options.save(gateway);
  }

  recordConfigStatus(status: ConfigStatus): void {
    const gateway = this.gateway(status.gatewayId);
    gateway.configStatus = {
      version: status.version,
      status: status.status,
      ...(status.invalidFields ? { invalidFields: status.invalidFields } : {}),
      ts: status.ts,
    };
    this.options.save(gateway);
  }

  /** What another node saved of a gateway, taken in where newer (saved-elsewhere.ts); not saved here. */
  takeSaved(remote: GatewayRecord): void {
    const local = this.records.get(remote.id);
    if (local) takeNewerGateway(local, remote);
    else this.records.set(remote.id, remote);
  }

  private gateway(id: string): GatewayRecord {
    let gateway = this.records.get(id);
    if (!gateway) {
      gateway = { id, state: 'unknown' };
      this.records.set(id, gateway);
    }
    return gateway;
  }
}
