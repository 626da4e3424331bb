import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';
import type { Logger } from 'pino';
import type { RejectReason } from '../dead-letters/rejection.ts';
import type { Counters } from '../monitoring/counters.ts';

/** What the broker refused, why (`reason`, for people) and under which rejection reason it is counted. */
export interface RefusedPublish {
  topic: string;
  gatewayId?: string;
  /** The tenant of the gateway that sent it, once it was let in. */
  tenant?: string;
  payload: Buffer;
  reason: string;
  code: Extract<RejectReason, 'publish-refused' | 'invalid-utf8' | 'malformed-packet'>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we refuse
const controlInTopic = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The MQTT packet parser decodes a topic with `Buffer#toString('utf8')`, which turns bytes that are
 * not UTF-8 into U+FFFD (mqtt-packet parser.js `_parseString`); no gateway topic contains U+FFFD, so
 * a topic that does was not valid UTF-8 (or named the replacement character itself) and is refused.
 * [MQTT-1.5.3-1] (ill-formed UTF-8) and [MQTT-1.5.3-2] (U+0000) require closing the connection.
 */
export function topicBytesProblem(
  topic: string,
): { reason: string; code: RefusedPublish['code'] } | undefined {
  if (topic.includes('\ufffd'))
    return {
      reason: 'topic is not well-formed UTF-8 (or contains U+FFFD) [MQTT-1.5.3-1]',
      code: 'invalid-utf8',
    };
  if (controlInTopic.test(topic))
    return { reason: 'topic contains a NUL or control character [MQTT-1.5.3-2]', code: 'publish-refused' };
  return undefined;
}

/**
 * Why aedes refuses a PUBLISH before calling `authorizePublish` (aedes lib/handlers/publish.js,
 * `handlePublish`): it closes the connection and no hook sees the packet. The same tests, in the
 * same order, so that such a publish is counted and dead-lettered like any other refusal;
 * test/integration/broker-refusals.test.ts checks each one against the real broker.
 */
export function refusedBeforeAuthorization(topic: string, maxTopicLevels: number): string | undefined {
  if (topic.length === 0) return 'empty topic in PUBLISH [MQTT-4.7.3-1]';
  if (topic.includes('#')) return '"#" in a PUBLISH topic [MQTT-3.3.2-2]';
  if (topic.includes('+')) return '"+" in a PUBLISH topic [MQTT-3.3.2-2]';
  if (topic.split('/').length > maxTopicLevels) return `topic has more than ${maxTopicLevels} levels`;
  return undefined;
}

export interface RefusalWatchDeps {
  counters: Counters;
  log: Logger;
  onRefused(message: RefusedPublish): void;
  /** aedes's `maxTopicLevels`. */
  maxTopicLevels: number;
  /** The gateway the client authenticated as, once it has. */
  gatewayOf(client: Client): string | undefined;
  tenantOf(client: Client): string | undefined;
  address(client: Client): string;
  /** The client as the logs may name it (its id is text it chose: see logged-ids.ts). */
  loggedClient(client: Client): string;
}

/**
 * Counts and dead-letters what aedes refuses without a hook: a PUBLISH with a wildcard, empty or
 * too deep topic, and bytes that are no MQTT packet. aedes has no public hook before its own checks,
 * so this listens on the client's packet parser (`client._parser`, an mqtt-packet Parser, aedes
 * lib/client.js): before aedes's own listener for packets, and beside it for parse errors. It only
 * reads; what aedes does with the packet is unchanged. Attach it in `preConnect`, which runs while
 * the CONNECT packet is being handled, before any later packet is parsed.
 */
export function watchRefusals(client: Client, deps: RefusalWatchDeps): void {
  const { counters, log, onRefused } = deps;
  const parser = (client as unknown as { _parser?: EventEmitter })._parser;
  if (!parser) throw new Error(`aedes client ${client.id} has no packet parser to watch`);
  parser.prependListener('packet', (packet: { cmd: string; topic?: string; payload?: Buffer | string }) => {
    if (packet.cmd !== 'publish') return;
    const topic = packet.topic ?? '';
    const reason = refusedBeforeAuthorization(topic, deps.maxTopicLevels);
    if (!reason) return;
    const payload = Buffer.from(packet.payload ?? '');
    counters.add('mqtt_publish_refused');
    log.warn({ clientId: deps.loggedClient(client), bytes: payload.length }, `publish refused: ${reason}`);
    onRefused({
      topic,
      gatewayId: deps.gatewayOf(client),
      tenant: deps.tenantOf(client),
      payload: payload.subarray(0, 65_536),
      reason,
      code: 'publish-refused',
    });
  });
  parser.on('error', (error: Error) => {
    counters.add('mqtt_malformed_packets');
    log.warn(
      { clientId: deps.loggedClient(client), address: deps.address(client) },
      `malformed MQTT packet: ${error.message}`,
    );
    onRefused({
      topic: '',
      gatewayId: deps.gatewayOf(client),
      tenant: deps.tenantOf(client),
      payload: Buffer.alloc(0),
      reason: `not a valid MQTT packet: ${error.message.slice(0, 200)}`,
      code: 'malformed-packet',
    });
  });
}
