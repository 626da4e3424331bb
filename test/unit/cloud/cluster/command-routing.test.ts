import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { forwardedCommand } from '../../../../cloud/cluster/command-relay.ts';
import { gatewayCommandEvents } from '../../../../cloud/cluster/gateway-commands.ts';
import {
  allGatewaySubjects,
  gatewayOfSubject,
  gatewaySubject,
  prefixesOverlap,
} from '../../../../cloud/cluster/subjects.ts';
import { MemoryCommandStore } from '../../../../cloud/commands/memory-store.ts';
import { CommandService } from '../../../../cloud/commands/service.ts';
import type { CommandRecord } from '../../../../cloud/commands/store.ts';
import { loadCloudConfig } from '../../../../cloud/config.ts';
import { Counters } from '../../../../cloud/monitoring/counters.ts';
import type { DeviceRecord } from '../../../../cloud/registry/store.ts';

const log = pino({ level: 'silent' });
const device = (id: string, gatewayId: string) =>
  ({
    id,
    kind: 'streetlight',
    gatewayId,
    district: 'centrum',
    provisioned: true,
    latest: {},
  }) as DeviceRecord;
const record: CommandRecord = {
  id: 'c1',
  deviceId: 'lamp-1',
  gatewayId: 'gw-1',
  kind: 'streetlight',
  command: { action: 'switch', on: true },
  status: 'pending',
  createdAt: '2026-11-30T10:00:00.000Z',
  expiresAt: '2026-11-30T10:01:00.000Z',
};

describe('command subjects', () => {
  it('name one subject per tenant and gateway under the prefix', () => {
    expect(gatewaySubject('city.gateways', 'brno', 'gw_centre-01', 'commands')).toBe(
      'city.gateways.brno.gw_centre-01.commands',
    );
    expect(allGatewaySubjects('city.gateways', 'config')).toBe('city.gateways.*.*.config');
  });

  it('refuse a tenant or gateway that is not one subject token', () => {
    expect(() => gatewaySubject('city.gateways', 'brno', 'gw.1', 'commands')).toThrow(/gateway/);
    expect(() => gatewaySubject('city.gateways', 'brno', '*', 'commands')).toThrow(/gateway/);
    expect(() => gatewaySubject('city.gateways', 'brno', '', 'commands')).toThrow(/gateway/);
    expect(() => gatewaySubject('city.gateways', 'a.b', 'gw-1', 'commands')).toThrow(/tenant/);
  });

  it('read the tenant and gateway back from a subject of the channel, and nothing else', () => {
    const p = 'city.gateways';
    expect(gatewayOfSubject(p, 'config', 'city.gateways.brno.gw-1.config')).toEqual({
      tenant: 'brno',
      gateway: 'gw-1',
    });
    expect(gatewayOfSubject(p, 'config', 'city.gateways.brno.gw-1.commands')).toBeUndefined();
    expect(gatewayOfSubject(p, 'config', 'city.gateways.brno.gw-1.config.x')).toBeUndefined();
    expect(gatewayOfSubject(p, 'config', 'city.gateways.brno.config')).toBeUndefined();
    expect(gatewayOfSubject(p, 'config', 'city.gatewaysx.brno.gw-1.config')).toBeUndefined();
    expect(gatewayOfSubject(p, 'config', 'city.gateways.Brno.gw-1.config')).toBeUndefined();
    expect(gatewayOfSubject(p, 'config', 'city.gateways.brno.GW.config')).toBeUndefined();
  });

  it('overlap the journal prefix when one is the other or starts with it token by token', () => {
    expect(prefixesOverlap('city.journal', 'city.journal')).toBe(true);
    expect(prefixesOverlap('city.journal.commands', 'city.journal')).toBe(true);
    expect(prefixesOverlap('city', 'city.journal')).toBe(true);
    expect(prefixesOverlap('city.gateways', 'city.journal')).toBe(false);
    expect(prefixesOverlap('city.journalx', 'city.journal')).toBe(false);
    expect(prefixesOverlap('city.journal', 'city.journalx')).toBe(false);
  });

  it('are refused by the configuration when they would fall into the journal stream', () => {
    expect(loadCloudConfig({}).NATS_GATEWAY_SUBJECT_PREFIX).toBe('city.gateways');
    expect(() => loadCloudConfig({ NATS_GATEWAY_SUBJECT_PREFIX: 'city.journal.gateways' })).toThrow(
      /NATS_GATEWAY_SUBJECT_PREFIX/,
    );
  });
});

describe('a forwarded command', () => {
  it('is taken when it is a command record for the subscribed gateway', () => {
    expect(forwardedCommand(JSON.stringify(record), 'gw-1')).toEqual(record);
  });

  it('is refused when it is for another gateway, malformed or not JSON', () => {
    expect(forwardedCommand(JSON.stringify(record), 'gw-2')).toBeUndefined();
    expect(forwardedCommand(JSON.stringify({ ...record, status: 'lost' }), 'gw-1')).toBeUndefined();
    expect(forwardedCommand('{', 'gw-1')).toBeUndefined();
  });
});

function node(forward?: (record: CommandRecord) => Promise<boolean>, store = new MemoryCommandStore()) {
  const published: { gatewayId: string; commandId: string }[] = [];
  const service = new CommandService({
    store,
    counters: new Counters(),
    log,
    now: () => new Date('2026-11-30T10:00:00.000Z'),
    publish: (gatewayId, message) => void published.push({ gatewayId, commandId: message.commandId }),
    forward,
  });
  return { service, store, published };
}

describe('the command service in cluster mode', () => {
  it('sends to a gateway listening here and forwards only the commands of the others', async () => {
    const forwarded: string[] = [];
    const { service, published } = node(async (r) => {
      forwarded.push(r.gatewayId);
      return true;
    });
    await service.gatewayListening('gw-1');
    await service.create([device('lamp-1', 'gw-1'), device('lamp-2', 'gw-2')], record.command, 60_000);
    expect(published.map((p) => p.gatewayId)).toEqual(['gw-1']);
    expect(forwarded).toEqual(['gw-2']);
  });

  it('leaves a command no node took pending, for the node its gateway connects to', async () => {
    const { service } = node(async () => false);
    const [created] = await service.create([device('lamp-1', 'gw-1')], record.command, 60_000);
    expect(created?.status).toBe('pending');
  });

  it('sends a forwarded command only to a gateway listening here, marking it sent in the shared store', async () => {
    const store = new MemoryCommandStore();
    const holder = node(undefined, store);
    expect(await holder.service.sendForwarded(record)).toBe(false);
    await holder.service.gatewayListening('gw-1');
    expect(holder.published).toEqual([]);
    await store.insert([record]);
    expect(await holder.service.sendForwarded(record)).toBe(true);
    expect(holder.published).toEqual([{ gatewayId: 'gw-1', commandId: 'c1' }]);
    expect((await store.get('c1'))?.status).toBe('sent');
    holder.service.gatewayGone('gw-1');
    expect(await holder.service.sendForwarded(record)).toBe(false);
  });
});

describe("the broker's gateway events", () => {
  function events(relay = true) {
    const seen: string[] = [];
    const commands = {
      gateways: {
        onGatewayListening: (gateway: string) => void seen.push(`listening ${gateway}`),
        onGatewayGone: (gateway: string) => void seen.push(`gone ${gateway}`),
      },
      service: { sendForwarded: async () => true },
    };
    const handlers = gatewayCommandEvents({
      commandsOf: (tenant) => (tenant === 'brno' ? commands : undefined),
      relay: relay
        ? {
            hold: async (tenant, gateway, _sendHere, catchUp) => {
              seen.push(`hold ${tenant}.${gateway}`);
              catchUp?.();
            },
            release: (tenant, gateway) => void seen.push(`release ${tenant}.${gateway}`),
          }
        : undefined,
      log,
    });
    return { seen, handlers };
  }

  it('subscribe the gateway subject before the waiting commands are read, and release it when gone', async () => {
    const { seen, handlers } = events();
    await handlers.onGatewayListening('gw-1', 'brno');
    handlers.onGatewayGone('gw-1', 'brno');
    // The relay calls catch-up (here at once) when NATS comes back: the waiting commands are read again.
    expect(seen).toEqual([
      'hold brno.gw-1',
      'listening gw-1',
      'listening gw-1',
      'release brno.gw-1',
      'gone gw-1',
    ]);
  });

  it('reach the commands alone without a cluster, and nothing for a tenant not running', async () => {
    const { seen, handlers } = events(false);
    await handlers.onGatewayListening('gw-1', 'brno');
    await handlers.onGatewayListening('gw-1', 'praha');
    expect(seen).toEqual(['listening gw-1']);
  });
});
