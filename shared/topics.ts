import { gatewayId } from './ids.ts';

/**
 * Topic layout: every topic of a gateway sits under its own prefix, so a broker ACL can confine a
 * gateway to `city/v1/gateways/<its id>/#`.
 *
 *   city/v1/gateways/{gatewayId}/telemetry        gateway -> cloud  QoS 1
 *   city/v1/gateways/{gatewayId}/events           gateway -> cloud  QoS 1
 *   city/v1/gateways/{gatewayId}/heartbeat        gateway -> cloud  QoS 1
 *   city/v1/gateways/{gatewayId}/status           gateway -> cloud  QoS 1, retained, last will
 *   city/v1/gateways/{gatewayId}/command-results  gateway -> cloud  QoS 1
 *   city/v1/gateways/{gatewayId}/config-status    gateway -> cloud  QoS 1
 *   city/v1/gateways/{gatewayId}/commands         cloud -> gateway  QoS 1
 *   city/v1/gateways/{gatewayId}/config           cloud -> gateway  QoS 1, retained
 */
export const topicRoot = 'city/v1/gateways';

export const uplinkChannels = [
  'telemetry',
  'events',
  'heartbeat',
  'status',
  'command-results',
  'config-status',
] as const;
export const downlinkChannels = ['commands', 'config'] as const;
export type UplinkChannel = (typeof uplinkChannels)[number];
export type DownlinkChannel = (typeof downlinkChannels)[number];
export type Channel = UplinkChannel | DownlinkChannel;

export function gatewayTopic(gateway: string, channel: Channel): string {
  return `${topicRoot}/${gateway}/${channel}`;
}

export interface ParsedTopic {
  gatewayId: string;
  channel: Channel;
}

const channels: ReadonlySet<string> = new Set([...uplinkChannels, ...downlinkChannels]);

/** Parses a gateway topic; returns undefined for anything outside the layout above. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (!topic.startsWith(`${topicRoot}/`)) return undefined;
  const rest = topic.slice(topicRoot.length + 1).split('/');
  if (rest.length !== 2) return undefined;
  const [gateway, channel] = rest as [string, string];
  if (!gatewayId.safeParse(gateway).success || !channels.has(channel)) return undefined;
  return { gatewayId: gateway, channel: channel as Channel };
}

export function isUplink(channel: Channel): channel is UplinkChannel {
  return (uplinkChannels as readonly string[]).includes(channel);
}
