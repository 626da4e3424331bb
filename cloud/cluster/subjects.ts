/**
 * The journal's subjects: one per tenant under a prefix (`city.journal.<tenant>`), so that a stream
 * takes every tenant's batches and a storage worker knows, from the subject alone, whose InfluxDB
 * database a batch belongs to. A tenant id is a slug ([a-z0-9-]), which is a valid subject token.
 */
export function journalSubject(prefix: string, tenant: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(tenant)) throw new Error(`not a tenant id for a subject: ${tenant}`);
  return `${prefix}.${tenant}`;
}

/** Every tenant's journal subject, for the stream and the storage workers' consumer. */
export function allJournalSubjects(prefix: string): string {
  return `${prefix}.>`;
}

/** The tenant whose batch came on `subject`; undefined for a subject outside `prefix` (then it is not ours). */
export function tenantOfSubject(prefix: string, subject: string): string | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const tenant = subject.slice(prefix.length + 1);
  return /^[a-z0-9][a-z0-9-]*$/.test(tenant) ? tenant : undefined;
}

/**
 * A gateway's command subject (`city.commands.<tenant>.<gateway>`): the node whose broker holds the
 * gateway's MQTT connection subscribes to it, and a node that created a command for that gateway sends
 * it there (cloud/cluster/command-relay.ts). Gateway ids ([a-z0-9_-]) are valid subject tokens.
 */
export function commandSubject(prefix: string, tenant: string, gateway: string): string {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(gateway)) throw new Error(`not a gateway id for a subject: ${gateway}`);
  return `${journalSubject(prefix, tenant)}.${gateway}`;
}

/**
 * Whether a subject under one prefix can also be one under the other (one prefix is the other, or
 * starts with it token by token): then the journal stream would take the commands in, or a command
 * subject could name a journal.
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}
