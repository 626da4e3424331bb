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

const gatewayToken = /^[a-z0-9][a-z0-9_-]*$/;

/** The MQTT channels whose messages go from node to node in cluster mode, as the last token of a subject. */
export type RelayedChannel = 'commands' | 'config';

/**
 * A gateway's subject for messages to it that cross the nodes (`city.gateways.<tenant>.<gateway>.<channel>`):
 * on `commands` the node whose broker holds the gateway's MQTT connection takes the commands other nodes
 * create (cloud/cluster/command-relay.ts); on `config` every node takes the gateway's configuration, to
 * keep it retained in its own broker (config-fanout.ts). Gateway ids ([a-z0-9_-]) are valid tokens.
 */
export function gatewaySubject(
  prefix: string,
  tenant: string,
  gateway: string,
  channel: RelayedChannel,
): string {
  if (!gatewayToken.test(gateway)) throw new Error(`not a gateway id for a subject: ${gateway}`);
  return `${journalSubject(prefix, tenant)}.${gateway}.${channel}`;
}

/** Every gateway's subject of a channel, for a node that takes them all. */
export function allGatewaySubjects(prefix: string, channel: RelayedChannel): string {
  return `${prefix}.*.*.${channel}`;
}

/** The tenant and gateway a subject of `channel` under `prefix` names; undefined for any other subject. */
export function gatewayOfSubject(
  prefix: string,
  channel: RelayedChannel,
  subject: string,
): { tenant: string; gateway: string } | undefined {
  if (!subject.startsWith(`${prefix}.`)) return undefined;
  const [tenant, gateway, last, ...rest] = subject.slice(prefix.length + 1).split('.');
  if (tenant === undefined || gateway === undefined || last !== channel || rest.length > 0) return undefined;
  return /^[a-z0-9][a-z0-9-]*$/.test(tenant) && gatewayToken.test(gateway) ? { tenant, gateway } : undefined;
}

/** What a tenant's nodes share with one another, as the last token of its subject. */
export type SharedTopic = 'live' | 'registry';

/**
 * A tenant's subject for what every node shares with the others (`city.gateways.<tenant>.live`): its
 * live events (alert and command changes) and its registry's saves (cloud/cluster/cell-sharing.ts).
 * Two tokens after the prefix, where a gateway's subject has three, so the two never meet.
 */
export function tenantSharedSubject(prefix: string, tenant: string, topic: SharedTopic): string {
  return `${journalSubject(prefix, tenant)}.${topic}`;
}

/**
 * Whether a subject under one prefix can also be one under the other (one prefix is the other, or
 * starts with it token by token): then the journal stream would take in the gateways' messages, or a
 * gateway's subject could name a journal.
 */
export function prefixesOverlap(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
}

/** A tenant's token in a subject, checked (a tenant id is a slug, a valid token). */
function token(tenant: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(tenant)) throw new Error(`not a tenant id for a subject: ${tenant}`);
  return tenant;
}

/** The rules' copy of a tenant's batches (the stream the node holding its rules lease reads). */
export function rulesSubject(prefix: string, tenant: string): string {
  return `${prefix}-rules.${token(tenant)}`;
}

/** Where a node tells the others that a tenant's rule definitions changed (core NATS, not a stream). */
export function rulesChangedSubject(prefix: string, tenant: string): string {
  return `${prefix}-rules-changed.${token(tenant)}`;
}

/**
 * The rules engine is partitioned by tenant: one lease key (in the KV bucket `<stream>_RULES_LEASES`)
 * and one durable consumer of the rules stream per tenant, whoever holds the lease.
 */
export function rulesPartition(stream: string, tenant: string) {
  return { bucket: `${stream}_RULES_LEASES`, key: token(tenant), consumer: `rules_${token(tenant)}` };
}
