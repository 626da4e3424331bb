import type { Transport } from '@influxdata/influxdb-client';

/** What the InfluxDB 2.x API answers about organisations, buckets and DBRP mappings (the fields used). */
interface Orgs {
  orgs?: { id: string; name: string }[];
}
interface Buckets {
  buckets?: { id: string; name: string }[];
}
interface Dbrps {
  content?: { id: string; database: string; bucketID: string }[];
}

async function orgId(transport: Transport, org: string): Promise<string> {
  const answer: Orgs = await transport.request(`/api/v2/orgs?${new URLSearchParams({ org })}`, null, {
    method: 'GET',
  });
  const id = answer.orgs?.find((o) => o.name === org)?.id;
  if (!id) throw new Error(`InfluxDB has no organisation ${org} (INFLUX_ORG)`);
  return id;
}

async function bucketId(transport: Transport, orgID: string, name: string): Promise<string | undefined> {
  const answer: Buckets = await transport.request(
    `/api/v2/buckets?${new URLSearchParams({ orgID, name })}`,
    null,
    { method: 'GET' },
  );
  return answer.buckets?.find((b) => b.name === name)?.id;
}

/**
 * InfluxDB 2.x: makes sure a tenant's bucket exists, mapped for InfluxQL (/query, Grafana's InfluxQL
 * datasource) by a DBRP mapping of the same name, as provisioning/influxdb/create-dbrp.sh does for the
 * first one. Documented API: POST /api/v2/buckets, GET/POST /api/v2/dbrps.
 */
export function ensureBucket(transport: Transport, org: string, name: string): Promise<void> {
  return ensureMappedBucket(transport, org, { bucket: name, database: name, retentionPolicy: 'autogen' });
}

export interface BucketMapping {
  bucket: string;
  /** The 1.x database and retention policy that /write?db=&rp= and InfluxQL name it by. */
  database: string;
  retentionPolicy: string;
  /** How long the bucket keeps points (set again on every call); unset: forever, or as it is. */
  everySeconds?: number;
}

/**
 * InfluxDB 2.x: makes sure a bucket exists and is mapped to (database, retention policy) by a DBRP
 * mapping, the default one of the database when its retention policy is `autogen` (a second one, such
 * as the rollups' bucket, is named by its retention policy: `"rollups"."streetlight_1h"`).
 */
export async function ensureMappedBucket(
  transport: Transport,
  org: string,
  mapping: BucketMapping,
): Promise<void> {
  const orgID = await orgId(transport, org);
  const retentionRules =
    mapping.everySeconds === undefined ? [] : [{ type: 'expire', everySeconds: mapping.everySeconds }];
  const json = { 'content-type': 'application/json' };
  let bucketID = await bucketId(transport, orgID, mapping.bucket);
  if (!bucketID) {
    const created: { id: string } = await transport.request(
      '/api/v2/buckets',
      { orgID, name: mapping.bucket, retentionRules },
      { method: 'POST', headers: json },
    );
    bucketID = created.id;
  } else if (mapping.everySeconds !== undefined) {
    await transport.request(
      `/api/v2/buckets/${bucketID}`,
      { retentionRules },
      { method: 'PATCH', headers: json },
    );
  }
  const mappings: Dbrps = await transport.request(
    `/api/v2/dbrps?${new URLSearchParams({ orgID, db: mapping.database })}`,
    null,
    { method: 'GET' },
  );
  if ((mappings.content ?? []).some((m) => m.bucketID === bucketID)) return;
  await transport.request(
    '/api/v2/dbrps',
    {
      orgID,
      bucketID,
      database: mapping.database,
      retention_policy: mapping.retentionPolicy,
      default: mapping.retentionPolicy === 'autogen',
    },
    { method: 'POST', headers: json },
  );
}

/** InfluxDB 2.x: deletes a tenant's bucket (its DBRP mapping goes with it); nothing if there is none. */
export async function deleteBucket(transport: Transport, org: string, name: string): Promise<void> {
  const id = await bucketId(transport, await orgId(transport, org), name);
  if (id) await transport.request(`/api/v2/buckets/${id}`, null, { method: 'DELETE' });
}
