import type { Logger } from 'pino';
import type { Counters } from '../monitoring/counters.ts';
import { logInfluxClientTo } from '../storage/influx.ts';
import { JetStreamJournal } from './jetstream-journal.ts';
import { NatsLink } from './nats-link.ts';
import { type JetStreamVariables, jetStreamSettings } from './settings.ts';

/**
 * Cluster mode's journal: the node's connection to NATS (made at start, waiting for NATS if it is not
 * up yet) and, for each tenant, its journal on the shared stream.
 */
export function clusterJournalFeature(deps: {
  config: JetStreamVariables & { NATS_URL: string };
  log: Logger;
}) {
  const link = new NatsLink(jetStreamSettings(deps.config), deps.log);
  return {
    name: 'nats',
    link,
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
  };
}
