import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe } from '../../../../cloud/broker/access.ts';
import { uplinkChannels } from '../../../../shared/topics.ts';

const GW = 'gw-centrum-01';

describe('canPublish', () => {
  it.each(uplinkChannels)(
    'allows a gateway to publish to its own %s topic and names the channel',
    (channel) => {
      expect(canPublish(GW, `city/v1/gateways/${GW}/${channel}`)).toEqual({ allowed: true, channel });
    },
  );

  it("refuses another gateway's topics, including one whose id extends its own", () => {
    for (const other of ['gw-centrum-02', 'gw-centrum-01x', 'gw-centrum-0']) {
      const decision = canPublish(GW, `city/v1/gateways/${other}/telemetry`);
      expect(decision.allowed).toBe(false);
      expect(!decision.allowed && decision.reason).toContain(other);
    }
  });

  it('refuses a topic outside the layout without repeating it (it is text the sender chose)', () => {
    const decision = canPublish(GW, `city/v1/gateways/${GW}/AB:CD:EF:12:34:56`);
    expect(decision).toEqual({ allowed: false, reason: 'the topic is outside the gateway topic layout' });
  });

  it.each(['commands', 'config'])('refuses the %s channel, which only the cloud publishes to', (channel) => {
    const decision = canPublish(GW, `city/v1/gateways/${GW}/${channel}`);
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.reason).toContain(channel);
  });

  it.each([
    'city/v1/gateways',
    `city/v1/gateways/${GW}`,
    `city/v1/gateways/${GW}/`,
    `city/v1/gateways/${GW}/telemetry/x`,
    `city/v1/gateways/${GW}/logs`,
    `city/v2/gateways/${GW}/telemetry`,
    `$SYS/broker/${GW}`,
    'city/v1/gateways/+/telemetry',
    `city/v1/gateways/${GW}/#`,
    '#',
    '',
  ])('refuses %j, outside the layout', (topic) => {
    const decision = canPublish(GW, topic);
    expect(decision.allowed).toBe(false);
    expect(!decision.allowed && decision.reason).toContain('outside');
  });
});

describe('canSubscribe', () => {
  it('allows exactly the own commands and config topics', () => {
    expect(canSubscribe(GW, `city/v1/gateways/${GW}/commands`)).toBe(true);
    expect(canSubscribe(GW, `city/v1/gateways/${GW}/config`)).toBe(true);
  });

  it.each([
    '#',
    'city/#',
    'city/v1/gateways/#',
    'city/v1/gateways/+/commands',
    `city/v1/gateways/${GW}/#`,
    `city/v1/gateways/${GW}/+`,
    'city/v1/gateways/gw-centrum-02/commands',
    `city/v1/gateways/${GW}/telemetry`,
    `city/v1/gateways/${GW}/commands/`,
    `city/v1/gateways/${GW}/commands/#`,
    'city/v1/gateways/+/config',
    'city/v1/gateways/gw-centrum-02/config',
    'city/v1/gateways/gw-centrum-01x/config',
    `city/v1/gateways/${GW}/config/`,
    `city/v1/gateways/${GW}/config/#`,
    `city/v1/gateways/${GW}/config-status`,
    `city/v1/gateways/${GW}/Config`,
    `$share/g/city/v1/gateways/${GW}/config`,
    `$share/g/city/v1/gateways/${GW}/commands`,
    `/city/v1/gateways/${GW}/commands`,
  ])('refuses %j', (topic) => {
    expect(canSubscribe(GW, topic)).toBe(false);
  });
});
