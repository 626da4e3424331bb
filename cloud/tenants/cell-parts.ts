import type { Logger } from 'pino';
import type { AuditLog } from '../access/audit.ts';
import type { AlertService } from '../alerts/service.ts';
import type { AlertStore } from '../alerts/store.ts';
import type { CommandService } from '../commands/service.ts';
import type { CommandStore } from '../commands/store.ts';
import type { DeadLetterIntake } from '../dead-letters/intake.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { GatewayConfigService } from '../gateway-config/service.ts';
import type { Ingestor } from '../ingest/ingest.ts';
import type { DeviceMap } from '../live/device-map.ts';
import type { DeviceStates } from '../live/device-states.ts';
import type { EventBus, LiveEvents } from '../live/events.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { OpenData } from '../open-data/part.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { RollupReader } from '../rollups/reader.ts';
import type { RuleService } from '../rules/service.ts';
import type { CellJournal } from '../storage/cell-journal.ts';
import type { InfluxConnection } from '../storage/influx.ts';
import type { QuotaGuard } from './quotas.ts';
import type { Tenant } from './schema.ts';

/**
 * One tenant's running part of the cloud, as the platform (broker, API, tenant service) uses it: its
 * own database, journal, InfluxDB database, registry, rules, alerts, commands, dead letters, audit
 * log and live data. Built by cloud/tenant-cell.ts; nothing in it reaches another tenant's.
 */
export interface TenantCell {
  readonly id: string;
  /** Its record as it is now (quotas and status change while it runs). */
  tenant(): Tenant;
  log: Logger;
  /** Its own counts (also added to the installation's). */
  counters: Counters;
  /** Its InfluxDB database. */
  influx: InfluxConnection;
  registry: DeviceRegistry;
  live: { bus: EventBus<LiveEvents>; states: DeviceStates; map: DeviceMap };
  deadLetters: DeadLetterStore;
  intake: DeadLetterIntake;
  journal: CellJournal;
  alerting: { rules: RuleService; alerts: AlertService; alertStore: AlertStore };
  commands: {
    service: CommandService;
    store: CommandStore;
    gateways: {
      onGatewayListening(gatewayId: string): void;
      onGatewayGone(gatewayId: string): void;
      onDelivered(topic: string, payload: Buffer): Promise<void>;
    };
  };
  configs: GatewayConfigService;
  audit: AuditLog;
  ingestor: Ingestor;
  /** Its open datasets and what their public answers read. */
  openData: OpenData;
  /**
   * Its hourly and daily aggregates (docs/rollups.md): the reader, whether they are computed
   * (ROLLUPS_ENABLED), and `settle()`, which computes every dirty hour now (tests, the bench).
   */
  rollups: { reader: RollupReader; enabled: boolean; settle(): Promise<void> };
  /** How many of its gateways are connected now. */
  connectedGateways(): number;
  /** Its quotas of devices and gateways: whether a gateway may connect, a change of them, its usage. */
  quotas: QuotaGuard;
  /** Stops it, last part first (points not yet in InfluxDB stay in its journal). */
  stop(): Promise<void>;
}
