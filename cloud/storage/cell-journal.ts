import type { Journal } from './journal-contract.ts';

/**
 * A tenant's journal as its cell, /health and `Cloud.flush` use it: the node's own SQLite journal
 * drained by its storage thread (`StorageThread`, the embedded default), or the cluster's shared
 * JetStream stream drained by the storage workers (cloud/cluster/jetstream-journal.ts).
 */
export interface CellJournal extends Journal {
  /** Why the journal cannot take new messages now, if it cannot (readiness); empty when it can. */
  readonly refusing: string[];
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
