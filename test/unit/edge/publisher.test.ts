import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../../edge/outbox/memory-outbox.ts';
import { Publisher } from '../../../edge/publisher.ts';
import { gatewayTopic } from '../../../shared/topics.ts';
import { type Item, items, NOW, roomy } from '../../conformance/outbox-items.ts';

interface Sent {
  topic: string;
  body: { batchId: string; readings?: Item[]; events?: Item[] };
  ack(): void;
  fail(): void;
}

/** An MQTT client that records QoS 1 publishes and lets the test acknowledge or fail each one. */
function fakeClient() {
  const sent: Sent[] = [];
  const client = {
    connected: true,
    publish: () => client,
    publishAsync(topic: string, payload: string) {
      return new Promise<void>((resolve, reject) => {
        sent.push({
          topic,
          body: JSON.parse(payload),
          ack: () => resolve(),
          fail: () => reject(new Error('ended')),
        });
      });
    },
  };
  return { client: client as unknown as MqttClient, sent };
}

function setup(maxInFlight = 2) {
  const outbox = new MemoryOutbox(roomy);
  const publisher = new Publisher({
    gatewayId: 'gw-1',
    outbox,
    log: pino({ level: 'silent' }),
    now: () => NOW,
    maxBatchItems: 2,
    maxInFlight,
    replayItemsPerS: 1_000,
  });
  return { outbox, publisher, ...fakeClient() };
}

const numbers = (sent: Sent | undefined) => (sent?.body.readings ?? sent?.body.events)?.map((i) => i.n);
/** Lets the promise callbacks of acknowledged or failed publishes run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Publisher', () => {
  it('keeps at most maxInFlight batches unacknowledged, and removes a batch from the outbox on its ack', async () => {
    const { outbox, publisher, client, sent } = setup(2);
    outbox.push('telemetry', items(0, 6), NOW);
    publisher.connected(client);
    expect(sent.map(numbers)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(sent[0]?.topic).toBe(gatewayTopic('gw-1', 'telemetry'));
    sent[0]?.ack();
    await settle();
    expect(outbox.depth).toBe(4);
    expect(sent.map(numbers)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(publisher.stats).toMatchObject({ publishedBatches: 1, publishedReadings: 2 });
  });

  it('sends what was queued after the connect ahead of the backlog', async () => {
    const { outbox, publisher, client, sent } = setup(1);
    outbox.push('telemetry', items(0, 4), NOW);
    publisher.connected(client);
    expect(sent.map(numbers)).toEqual([[0, 1]]);
    outbox.push('events', items(4, 1), NOW);
    sent[0]?.ack();
    await settle();
    expect(sent.map(numbers)).toEqual([[0, 1], [4]]);
    expect(sent[1]?.topic).toBe(gatewayTopic('gw-1', 'events'));
  });

  it('leaves a batch that was not acknowledged in the outbox and resends it as it was', async () => {
    const { outbox, publisher, client, sent } = setup(1);
    outbox.push('telemetry', items(0, 2), NOW);
    publisher.connected(client);
    sent[0]?.fail();
    await settle();
    expect(outbox.depth).toBe(2);
    expect(outbox.inFlightCount).toBe(0);
    publisher.connected(client);
    expect(sent[1]?.body.batchId).toBe(sent[0]?.body.batchId);
    expect(numbers(sent[1])).toEqual([0, 1]);
  });

  it('resolves drained() once everything queued is acknowledged', async () => {
    const { outbox, publisher, client, sent } = setup(2);
    outbox.push('telemetry', items(0, 5), NOW);
    publisher.connected(client);
    let drained = false;
    const waiting = publisher.drained().then(() => {
      drained = true;
    });
    sent[0]?.ack();
    await settle();
    expect(drained).toBe(false);
    sent[1]?.ack();
    await settle();
    expect(drained).toBe(false);
    sent[2]?.ack();
    await waiting;
    expect(outbox.depth).toBe(0);
  });
});
