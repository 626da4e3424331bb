import type { EventEmitter } from 'node:events';
import type { Client } from 'aedes';

/** A PUBLISH as the MQTT packet parser hands it over. */
export interface ParsedPublish {
  cmd: 'publish';
  topic: string;
  payload: Buffer | string;
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

export interface PacketWatcher {
  /** A PUBLISH aedes is about to refuse before authorization, with the reason. */
  refusedPublish(packet: ParsedPublish, reason: string): void;
  /** Bytes the MQTT parser could not decode as a packet; aedes closes the connection. */
  malformed(error: Error): void;
}

/**
 * Watches one client's incoming packets. aedes has no public hook before its own checks, so this
 * listens on the client's packet parser (`client._parser`, an mqtt-packet Parser, aedes
 * lib/client.js): before aedes's own listener for packets, and beside it for parse errors. It only
 * reads; what aedes does with the packet is unchanged.
 */
export function watchPackets(client: Client, maxTopicLevels: number, watcher: PacketWatcher): void {
  const parser = (client as unknown as { _parser?: EventEmitter })._parser;
  if (!parser) throw new Error(`aedes client ${client.id} has no packet parser to watch`);
  parser.prependListener('packet', (packet: { cmd: string }) => {
    if (packet.cmd !== 'publish') return;
    const publish = packet as ParsedPublish;
    const reason = refusedBeforeAuthorization(publish.topic, maxTopicLevels);
    if (reason) watcher.refusedPublish(publish, reason);
  });
  parser.on('error', (error: Error) => watcher.malformed(error));
}
