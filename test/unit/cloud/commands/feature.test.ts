import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { commandsFeature } from '../../../../cloud/commands/feature.ts';
import { SqliteCommandStore } from '../../../../cloud/commands/store.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';
import { openSqlite } from '../../../../cloud/sqlite/sqlite.ts';
import { gatewayTopic } from '../../../../shared/topics.ts';

const lamp = {
  id: 'lamp-1',
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'centrum',
  provisioned: true,
  latest: {},
} as DeviceRecord;

const db = openSqlite(':memory:');
afterEach(() => db.exec('DELETE FROM commands'));

function commands() {
  const sent: { topic: string; body: object }[] = [];
  const feature = commandsFeature({
    store: new SqliteCommandStore(db),
    counters: new Counters(),
    log: pino({ level: 'silent' }),
    now: () => new Date('2026-11-29T12:00:00.000Z'),
    send: (topic, body) => void sent.push({ topic, body }),
  });
  return { feature, sent };
}

describe('commandsFeature', () => {
  it("sends a command on the gateway's command topic once it listens, and marks it delivered on the acknowledgement", async () => {
    const { feature, sent } = commands();
    const [record] = await feature.service.create([lamp], { action: 'switch', on: false }, 60_000);
    expect(sent).toEqual([]);
    await feature.gateways.onGatewayListening('gw-1');
    expect(sent.map((s) => s.topic)).toEqual([gatewayTopic('gw-1', 'commands')]);
    expect((await feature.store.get(record?.id as string))?.status).toBe('sent');
    await feature.gateways.onDelivered(
      gatewayTopic('gw-1', 'commands'),
      Buffer.from(JSON.stringify(sent[0]?.body)),
    );
    expect((await feature.store.get(record?.id as string))?.status).toBe('delivered');
  });

  it('ignores acknowledgements of messages on other topics', async () => {
    const { feature, sent } = commands();
    await feature.gateways.onGatewayListening('gw-1');
    const [record] = await feature.service.create([lamp], { action: 'switch', on: false }, 60_000);
    await feature.gateways.onDelivered(
      gatewayTopic('gw-1', 'config'),
      Buffer.from(JSON.stringify(sent[0]?.body)),
    );
    expect((await feature.store.get(record?.id as string))?.status).toBe('sent');
  });
});
