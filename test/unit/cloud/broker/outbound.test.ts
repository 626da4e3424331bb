import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { GatewayOutbound } from '../../../../cloud/broker/outbound.ts';
import { waitFor } from '../../../helpers/wait.ts';

function capturingLog() {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

/** A broker stand-in that records what it is asked to publish, or refuses. */
function fakeBroker(fail = false) {
  const published: { topic: string; payload: string; retain?: boolean }[] = [];
  return {
    published,
    publish: async (topic: string, payload: string, options: { retain?: boolean } = {}) => {
      if (fail) throw new Error('broker closed');
      published.push({ topic, payload, retain: options.retain });
    },
  };
}

describe('GatewayOutbound', () => {
  it('publishes through the attached broker', async () => {
    const outbound = new GatewayOutbound(capturingLog().log);
    const broker = fakeBroker();
    outbound.attach(broker);
    await outbound.publish('city/v1/alerts', 'fired', { retain: true });
    outbound.send('city/v1/gw-1/commands', { commandId: 'c-1' });
    await waitFor('both messages published', () => broker.published.length === 2);
    expect(broker.published).toEqual([
      { topic: 'city/v1/alerts', payload: 'fired', retain: true },
      { topic: 'city/v1/gw-1/commands', payload: '{"commandId":"c-1"}', retain: false },
    ]);
  });

  it('fails a publish with no broker attached (before start, after stop)', async () => {
    const outbound = new GatewayOutbound(capturingLog().log);
    await expect(outbound.publish('city/v1/alerts', 'x')).rejects.toThrow('MQTT broker not running');
    const broker = fakeBroker();
    outbound.attach(broker);
    outbound.detach();
    await expect(outbound.publish('city/v1/alerts', 'x')).rejects.toThrow(
      'nothing published on city/v1/alerts',
    );
    expect(broker.published).toEqual([]);
  });

  it('logs a failed send with its topic instead of throwing', async () => {
    const { log, lines } = capturingLog();
    const outbound = new GatewayOutbound(log);
    outbound.attach(fakeBroker(true));
    expect(() => outbound.send('city/v1/gw-1/config', { version: 2 }, true)).not.toThrow();
    await waitFor('the failure logged', () => lines.length === 1);
    expect(lines[0]).toMatchObject({ msg: 'publish to gateway failed', topic: 'city/v1/gw-1/config' });
  });
});
