import { DiscardPolicy, headers, type JetStreamManager, nanos, RetentionPolicy, StorageType } from 'nats';
import type { NatsLink } from './nats-link.ts';
import type { JetStreamSettings } from './settings.ts';

/** Rejected batches are kept this long for inspection. */
const keptDays = 30;

/** The stream of batches InfluxDB refused as malformed (`<prefix>-rejected.<tenant>`), beside the journal. */
export function rejectedStream(settings: JetStreamSettings) {
  return {
    name: `${settings.stream}_REJECTED`,
    subjects: [`${settings.subjectPrefix}-rejected.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(keptDays * 86_400_000),
    num_replicas: settings.replicas,
  };
}

async function ensureRejectedStream(jsm: JetStreamManager, settings: JetStreamSettings): Promise<void> {
  const config = rejectedStream(settings);
  await jsm.streams.info(config.name).catch(() => jsm.streams.add(config));
}

/**
 * Keeps what InfluxDB refused (HTTP 400: malformed for it, so retrying cannot help) in the rejected
 * stream, with the reason, so that nothing leaves the journal unseen; resolves once JetStream has it.
 */
export async function keepRejected(
  link: NatsLink,
  tenant: string,
  records: string[],
  reason: string,
): Promise<void> {
  await ensureRejectedStream(link.jsm, link.settings);
  const h = headers();
  // A header value holds no line break (InfluxDB's error text has some): refused, the batch was never kept.
  h.set('City-Reason', reason.replace(/[\r\n]+/g, ' ').slice(0, 1_000));
  await link.js.publish(
    `${link.settings.subjectPrefix}-rejected.${tenant}`,
    new TextEncoder().encode(records.join('\n')),
    {
      headers: h,
    },
  );
}
