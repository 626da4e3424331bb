import { describe, expect, it } from 'vitest';
import { buildDigest } from '../../../../cloud/notifications/digest.ts';
import { LogChannel } from '../../../../cloud/notifications/log-channel.ts';
import { MqttChannel } from '../../../../cloud/notifications/mqtt.ts';
import { alert, capturingLog } from './fixtures.ts';

const digest = buildDigest(
  {
    from: '2026-11-21T06:00:00.000Z',
    to: '2026-11-22T06:00:00.000Z',
    open: { critical: 1 },
    fired: 3,
    escalated: 1,
    acknowledged: 2,
    resolved: 2,
  },
  new Date('2026-11-22T06:00:00.000Z'),
  'Europe/Berlin',
);

describe('MQTT channel', () => {
  it('publishes the notification JSON on its topic, digests on <topic>/digest', async () => {
    const published: { topic: string; payload: string }[] = [];
    const channel = new MqttChannel({
      name: 'bus',
      topic: 'city/v1/alerts',
      publish: async (topic, payload) => void published.push({ topic, payload }),
    });
    const notification = alert({ transition: 'escalated', severity: 'major' });
    await channel.send(notification);
    await channel.sendDigest(digest);
    expect(published.map((p) => p.topic)).toEqual(['city/v1/alerts', 'city/v1/alerts/digest']);
    expect(JSON.parse(published[0]?.payload ?? '')).toEqual(notification);
    expect(JSON.parse(published[1]?.payload ?? '')).toEqual(digest);
  });

  it('defaults to city/v1/alerts and passes publish failures on', async () => {
    const topics: string[] = [];
    const channel = new MqttChannel({
      name: 'bus',
      publish: async (topic) => {
        topics.push(topic);
        throw new Error('broker closed');
      },
    });
    await expect(channel.send(alert())).rejects.toThrow('broker closed');
    expect(topics).toEqual(['city/v1/alerts']);
  });
});

describe('log channel', () => {
  it('writes the notification at info level with its fields', async () => {
    const { log, lines } = capturingLog('info');
    const notification = alert();
    await new LogChannel({ name: 'journal', log }).send(notification);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      channel: 'journal',
      ...notification,
      msg: 'alert fired: Bin above 80 % (minor) on bin-000007',
    });
  });

  it('writes digests with their summary', async () => {
    const { log, lines } = capturingLog('info');
    await new LogChannel({ name: 'journal', log }).sendDigest(digest);
    expect(lines[0]).toMatchObject({
      level: 30,
      digestId: 'digest:2026-11-22',
      msg: `alert digest: ${digest.summary}`,
    });
  });
});
