import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { logInfluxClientTo } from '../storage/influx.ts';
import { cellSharing } from './cell-sharing.ts';
import { CommandRelay } from './command-relay.ts';
import { ConfigFanOut } from './config-fanout.ts';
import { JetStreamJournal } from './jetstream-journal.ts';
import { NatsLink } from './nats-link.ts';
import { RulesPartition, type RulesPartitionParts } from './rules-partition.ts';
import { type GatewayRelayVariables, type JetStreamVariables, jetStreamSettings } from './settings.ts';

/** How long a node waits for the holder of a gateway to take a command before leaving it in the store. */
const forwardTimeoutMs = 2_000;

/**
 * Cluster mode's journal: the node's connection to NATS (made at start, waiting for NATS if it is not
 * up yet), for each tenant its journal on the shared stream, the relay of commands to the node
 * holding their gateway, the gateways' configurations shared by every node, and what each tenant's
 * cell shares with its cells on the other nodes (live events, registry saves).
 */
export function clusterJournalFeature(deps: {
  config: JetStreamVariables & { NATS_URL: string } & GatewayRelayVariables;
  log: Logger;
  counters: Counters;
}) {
  const link = new NatsLink(jetStreamSettings(deps.config), deps.log);
  // This process in the rules leases and in what the cells share: unique per start, so a restarted
  // node waits out its old lease.
  const node = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  return {
    name: 'nats',
    link,
    commands: new CommandRelay({
      connection: () => link.connection,
      prefix: deps.config.NATS_GATEWAY_SUBJECT_PREFIX,
      timeoutMs: forwardTimeoutMs,
      log: deps.log,
      counters: deps.counters,
    }),
    configs: new ConfigFanOut({
      connection: () => link.connection,
      prefix: deps.config.NATS_GATEWAY_SUBJECT_PREFIX,
      log: deps.log,
      counters: deps.counters,
    }),
    sharing: (tenant: string) =>
      cellSharing({
        connection: () => link.connection,
        prefix: deps.config.NATS_GATEWAY_SUBJECT_PREFIX,
        tenant,
        origin: node,
        log: deps.log,
        counters: deps.counters,
      }),
    start: () => {
      // The node still writes InfluxDB itself (status snapshots): the client's messages go to its log,
      // as the storage feature arranges in the embedded default.
      logInfluxClientTo(deps.log);
      return link.start(`city-cloud ${process.pid}`);
    },
    stop: () => link.stop(),
    journalOf(tenant: string, parts: { counters: Counters; log: Logger; now: () => Date }): JetStreamJournal {
      return new JetStreamJournal({ link, tenant, ...parts });
    },
    rulesOf(tenant: string, parts: RulesPartitionParts): RulesPartition {
      return new RulesPartition({ link, tenant, node, ...parts });
    },
  };
}
