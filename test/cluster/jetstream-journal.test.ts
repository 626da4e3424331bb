import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JetStreamJournal } from '../../cloud/cluster/jetstream-journal.ts';
import { JournalWorker } from '../../cloud/cluster/journal-worker.ts';
import { NatsLink } from '../../cloud/cluster/nats-link.ts';
import { type JetStreamSettings, jetStreamSettings } from '../../cloud/cluster/settings.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { startOwnNats as startTestNats } from '../../scripts/cluster/nats-server.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog, startTestCloud } from '../helpers/cloud.ts';
import { startTestInfluxd } from '../helpers/influxd.ts';
import { expectEveryReadingStored } from '../helpers/recording.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

let streams = 0;
function settings(url: string): JetStreamSettings {
  const n = streams++;
  return jetStreamSettings({
    NATS_URL: url,
    JETSTREAM_STREAM: `TEST_JOURNAL_${n}`,
    JETSTREAM_SUBJECT_PREFIX: `test${n}.journal`,
    JETSTREAM_DUPLICATE_WINDOW_S: 60,
    JETSTREAM_MAX_BYTES: 64 * 1024 ** 2,
    JETSTREAM_REPLICAS: 1,
    JETSTREAM_PUBLISH_TIMEOUT_S: 2,
    JETSTREAM_CONSUMER: 'workers',
    JETSTREAM_ACK_WAIT_S: 5,
  });
}

async function link(s: JetStreamSettings) {
  const l = new NatsLink(s, silentLog);
  await l.start('test');
  cleanups.push(() => l.stop());
  return l;
}

const journalOn = (l: NatsLink, counters = new Counters()) =>
  new JetStreamJournal({ link: l, tenant: 'city-a', counters, log: silentLog, now: () => new Date() });

describe('the JetStream journal (cluster mode)', () => {
  it('stores a batch appended twice through two nodes once (its batch key is the message id)', async () => {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const s = settings(nats.url);
    const [nodeA, nodeB] = [await link(s), await link(s)];
    const counters = new Counters();
    await journalOn(nodeA).append({ lines: ['m,device=d1 v=1 1000'], key: 'batch-1' });
    await journalOn(nodeB, counters).append({ lines: ['m,device=d1 v=1 1000'], key: 'batch-1' });
    await journalOn(nodeB).append({ lines: ['m,device=d1 v=2 2000'], key: 'batch-2' });
    expect(counters.get('journal_duplicate_appends')).toBe(1);
    const info = await nodeA.jsm.streams.info(s.stream);
    expect(info.state.messages).toBe(2);
  });

  it('refuses appends while NATS is down and confirms them again once it is back, by itself', {
    timeout: 60_000,
  }, async () => {
    const nats = await startTestNats();
    cleanups.push(() => nats.stop());
    const s = settings(nats.url);
    const node = await link(s);
    const journal = journalOn(node);
    await journal.append({ lines: ['m,device=d1 v=1 1000'], key: 'before' });
    const restarted = nats.restart();
    await waitFor('the node to see NATS gone', () => !node.connected);
    await expect(journal.append({ lines: ['m,device=d1 v=2 2000'], key: 'during' })).rejects.toThrow(
      /refused|did not confirm/,
    );
    expect(journal.refusing.join()).toMatch(/NATS/);
    await restarted;
    await waitFor('the node to reconnect', () => node.connected);
    await journal.append({ lines: ['m,device=d1 v=2 2000'], key: 'during' });
    const info = await node.jsm.streams.info(s.stream);
    expect(info.state.messages).toBe(2);
  });

  it('carries a city from the broker through the stream and a storage worker into InfluxDB', {
    timeout: 90_000,
  }, async () => {
    const [nats, influxd, dir] = await Promise.all([startTestNats(), startTestInfluxd(), tempDir('js-city')]);
    cleanups.push(
      () => nats.stop(),
      () => influxd.stop(),
      () => dir.remove(),
    );
    const s = settings(nats.url);
    const fleet = generateFleet({ seed: 31, devices: 30, devicesPerGateway: 10 });
    const cloud = await startTestCloud(influxd.url, fleet, {
      NATS_URL: nats.url,
      JETSTREAM_STREAM: s.stream,
      JETSTREAM_SUBJECT_PREFIX: s.subjectPrefix,
    });
    cleanups.push(() => cloud.stop());
    const counters = new Counters();
    const worker = new JournalWorker({
      link: await link(s),
      influx: cloud.influx.withDatabase(cloud.influx.settings.database),
      batchMessages: 50,
      concurrency: 2,
      minRetryMs: 100,
      maxRetryMs: 1_000,
      counters,
      log: silentLog,
    });
    await worker.start();
    cleanups.push(() => worker.stop());
    const secrets = new Map<string, string>();
    for (const g of fleet.gateways) secrets.set(g.id, await cloud.provision(g.id));
    const city = await streamingCity({
      log: silentLog,
      fleet,
      mqttUrl: cloud.mqttUrl,
      dataDir: join(dir.path, 'edge'),
      secrets,
    });
    cleanups.push(() => city.stop());
    for (let i = 0; i < 20; i++) await city.pollAll();
    await city.drained();
    // Acknowledged means in the stream: the node wrote nothing to InfluxDB itself.
    expect(cloud.cloud.counters.get('influx_points_written')).toBe(0);
    await cloud.cloud.flush();
    await expectEveryReadingStored(cloud.influx, city.readings());
    expect(counters.get('influx_points_written')).toBeGreaterThanOrEqual(city.readings().length);
  });
});
