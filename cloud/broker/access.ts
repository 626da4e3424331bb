import { gatewayTopic, isUplink, parseTopic, type UplinkChannel } from '../../shared/topics.ts';

/**
 * Access rules for gateways, deny by default. Pure functions of the authenticated gateway id and
 * the topic, so that they are tested with plain values.
 */
export type PublishDecision = { allowed: true; channel: UplinkChannel } | { allowed: false; reason: string };

export function canPublish(gatewayId: string, topic: string): PublishDecision {
  const parsed = parseTopic(topic);
  // The topic itself is not repeated: outside the layout, it is text the sender chose.
  if (!parsed) return { allowed: false, reason: 'the topic is outside the gateway topic layout' };
  if (parsed.gatewayId !== gatewayId) {
    return {
      allowed: false,
      reason: `gateway ${gatewayId} may not publish under gateway ${parsed.gatewayId}`,
    };
  }
  if (!isUplink(parsed.channel))
    return { allowed: false, reason: `gateways do not publish to ${parsed.channel}` };
  return { allowed: true, channel: parsed.channel };
}

/** A gateway subscribes to its own command and config topics and nothing else (no wildcards). */
export function canSubscribe(gatewayId: string, topic: string): boolean {
  return topic === gatewayTopic(gatewayId, 'commands') || topic === gatewayTopic(gatewayId, 'config');
}
