import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { deadLetterIntake } from '../../../../cloud/dead-letters/intake.ts';
import { MemoryDeadLetterStore } from '../../../../cloud/dead-letters/memory-store.ts';
import { Ingestor } from '../../../../cloud/ingest/ingest.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import { MemoryRegistryStore } from '../../../../cloud/registry/memory-store.ts';
import { DeviceRegistry } from '../../../../cloud/registry/registry.ts';
import { gatewayTopic, type UplinkChannel } from '../../../../shared/topics.ts';
import { GATEWAY, TS } from '../../fixtures.ts';

const now = () => new Date(TS);
const secrets = ['1AB 2345', 'AB:CD:EF:12:34:56', '230011234567890', 'Jana Novakova', '987.654'];
const [plate, mac, imsi, name, energy] = secrets as [string, string, string, string, string];
const envelope = (key: 'readings' | 'events', items: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    v: 1,
    gatewayId: GATEWAY,
    sentAt: TS,
    batchId: `b-${Math.random()}`,
    [key]: items,
    ...extra,
  });

async function ingestAll(messages: [UplinkChannel, string][]) {
  const lines: string[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
  const counters = new Counters();
  const registry = new DeviceRegistry({ store: new MemoryRegistryStore(), now, offlineAfterMs: 900_000 });
  const location = { lat: 50.55, lon: 13.75 };
  await registry.load([
    {
      city: { name: 'Bílina', timezone: 'Europe/Prague', location },
      gateways: [{ id: GATEWAY, district: 'centrum', location }],
      devices: [
        { id: 'ev-1', kind: 'evCharger', gatewayId: GATEWAY, district: 'centrum', location },
        { id: 'cam-1', kind: 'camera', gatewayId: GATEWAY, district: 'centrum', location },
      ],
    },
  ]);
  const store = new MemoryDeadLetterStore({ now });
  const ingestor = new Ingestor({
    registry,
    deadLetters: deadLetterIntake({ store, counters, log, now, rawTtlMs: 3_600_000 }),
    journal: { depth: 0, seen: () => undefined, append: async () => undefined },
    counters,
    log,
    now,
    maxAgeMs: 86_400_000,
    maxSkewMs: 300_000,
    onCommandResult: () => undefined,
    onAccepted: () => undefined,
  });
  for (const [channel, payload] of messages)
    await ingestor.handle({
      topic: gatewayTopic(GATEWAY, channel),
      gatewayId: GATEWAY,
      channel,
      payload: Buffer.from(payload),
    });
  return { lines, letters: await store.list({ limit: 100, offset: 0 }) };
}

describe('ingestion logs ids, reasons and sizes, never a payload value', () => {
  it('logs accepted events and every kind of rejection without a value from the payload', async () => {
    const { lines, letters } = await ingestAll([
      [
        'events',
        envelope('events', [
          {
            deviceId: 'ev-1',
            kind: 'evCharger',
            ts: TS,
            type: 'sessionEnded',
            values: { sessionEnergy: Number(energy) },
          },
        ]),
      ],
      [
        'telemetry',
        envelope('readings', [{ deviceId: 'cam-1', kind: 'camera', ts: TS, metrics: { plate, [mac]: 1 } }]),
      ],
      [
        'telemetry',
        envelope('readings', [
          { deviceId: 'cam-1', kind: 'camera', ts: TS, metrics: { streamStatus: plate } },
        ]),
      ],
      [
        'events',
        envelope('events', [{ deviceId: 'cam-1', kind: 'camera', ts: TS, type: imsi }], { [mac]: imsi }),
      ],
      // A device the fleet files do not list, whose id is a MAC address: refused, its id kept nowhere.
      [
        'telemetry',
        envelope('readings', [{ deviceId: mac, kind: 'camera', ts: TS, metrics: { peopleCount: 3 } }]),
      ],
      ['status', JSON.stringify({ v: 1, gatewayId: name, state: 'online' })],
      ['heartbeat', `{"imsi":"${imsi}",`],
    ]);
    expect(letters.total).toBe(6);
    const logged = lines.join('\n');
    expect(logged).toContain('"msg":"device event"');
    expect(logged).toContain('"deviceId":"ev-1"');
    expect(logged.match(/rejected input kept as dead letter/g)).toHaveLength(6);
    expect(logged).toContain('unknown-device');
    for (const secret of secrets) expect(logged, secret).not.toContain(secret);
    for (const secret of secrets) expect(JSON.stringify(letters), secret).not.toContain(secret);
  });
});
