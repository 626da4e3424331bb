import type { Journal } from './journal-contract.ts';

/**
 * A tenant's journal as its cell, /health and `Cloud.flush` use it: the node's own SQLite journal
 * drained by its storage thread (`StorageThread`, the embedded default), or the cluster's shared
 * JetStream stream drained by the storage workers (cloud/cluster/jetstream-journal.ts).
 */
export interface CellJournal extends Journal {
  /** Why the journal cannot take new messages now, if it cannot (readiness); empty when it can. */
  readonly refusing: string[];
  /**
   * What an append meets while the journal refuses: refused at once (cluster mode: the connection
   * closes and the gateway reconnects, to another node if only this one lost NATS), or held until the
   * journal can write (the node's own journal: there is nowhere else to go, so the broker keeps such
   * a tenant's messages waiting before they are applied, cloud/broker/room-waits.ts).
   */
  readonly refusesAtOnce: boolean;
  /** Whether InfluxDB takes the journal's writes (as far as this process knows). */
  readonly influxReachable: boolean;
  /** Journal operations failing now (retried), with their reasons. */
  readonly faulty: Record<string, string>;
  /** Why the journal stopped working for good, if it did (the process should restart). */
  readonly failed: Error | undefined;
  /** Resolves when everything journaled so far has reached InfluxDB. */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Whether a tenant's messages may be applied now (the broker's `tenants.takesMessages`): its journal takes them, or
 * refuses them at once (`refusesAtOnce`), which closes the gateway's connection. No journal (the
 * tenant is not running): no.
 */
export function takesMessages(journal: Pick<CellJournal, 'refusing' | 'refusesAtOnce'> | undefined): boolean {
  return journal !== undefined && (journal.refusesAtOnce || journal.refusing.length === 0);
}
