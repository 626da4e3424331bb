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
