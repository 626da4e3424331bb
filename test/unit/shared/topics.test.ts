import { describe, expect, it } from 'vitest';
import {
  type Channel,
  downlinkChannels,
  gatewayTopic,
  isUplink,
  parseTopic,
  topicRoot,
  uplinkChannels,
} from '../../../shared/topics.ts';

const allChannels: Channel[] = [...uplinkChannels, ...downlinkChannels];

describe('gatewayTopic / parseTopic', () => {
  it.each(allChannels)('round-trips the %s channel', (channel) => {
    const topic = gatewayTopic('gw-centrum-01', channel);
    expect(topic).toBe(`city/v1/gateways/gw-centrum-01/${channel}`);
    expect(parseTopic(topic)).toEqual({ gatewayId: 'gw-centrum-01', channel });
  });

  it('puts every topic of a gateway under its prefix', () => {
    for (const channel of allChannels) {
      expect(gatewayTopic('gw_9', channel).startsWith(`${topicRoot}/gw_9/`)).toBe(true);
    }
  });

  it('accepts the extremes of the gateway id syntax', () => {
    const longest = `a${'b'.repeat(63)}`;
    expect(parseTopic(`city/v1/gateways/${longest}/status`)?.gatewayId).toBe(longest);
    expect(parseTopic('city/v1/gateways/0/status')?.gatewayId).toBe('0');
  });

  it.each([
    ['another root', 'city/v2/gateways/gw-1/telemetry'],
    ['a root without the trailing separator', 'city/v1/gatewaysgw-1/telemetry'],
    ['a leading slash', '/city/v1/gateways/gw-1/telemetry'],
    ['the bare root', 'city/v1/gateways'],
    ['the root with a slash', 'city/v1/gateways/'],
    ['a missing channel', 'city/v1/gateways/gw-1'],
    ['an empty channel', 'city/v1/gateways/gw-1/'],
    ['an extra level', 'city/v1/gateways/gw-1/telemetry/extra'],
    ['a trailing slash', 'city/v1/gateways/gw-1/telemetry/'],
    ['an extra level before the channel', 'city/v1/gateways/gw-1/x/telemetry'],
    ['an empty gateway id', 'city/v1/gateways//telemetry'],
    ['an uppercase gateway id', 'city/v1/gateways/GW-1/telemetry'],
    ['a "+" gateway id', 'city/v1/gateways/+/telemetry'],
    ['a "#" gateway id', 'city/v1/gateways/#/telemetry'],
    ['a "#" level', 'city/v1/gateways/gw-1/#'],
    ['a gateway id starting with "-"', 'city/v1/gateways/-gw/telemetry'],
    ['a gateway id with a space', 'city/v1/gateways/gw 1/telemetry'],
    ['a gateway id of 65 characters', `city/v1/gateways/${'a'.repeat(65)}/telemetry`],
    ['an unknown channel', 'city/v1/gateways/gw-1/readings'],
    ['a channel in another case', 'city/v1/gateways/gw-1/Telemetry'],
    ['the empty string', ''],
  ])('rejects %s', (_, topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });
});

describe('isUplink', () => {
  it.each(uplinkChannels)('is true for %s', (channel) => {
    expect(isUplink(channel)).toBe(true);
  });

  it.each(downlinkChannels)('is false for %s, a downlink channel', (channel) => {
    expect(isUplink(channel)).toBe(false);
  });

  it('has exactly the commands and config downlink channels', () => {
    expect(downlinkChannels).toEqual(['commands', 'config']);
    expect(uplinkChannels).toContain('config-status');
  });
});
