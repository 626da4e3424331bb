import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { describe, expect, it } from 'vitest';
import { CommandRelay } from '../../cloud/cluster/command-relay.ts';
import { ConfigFanOut } from '../../cloud/cluster/config-fanout.ts';
import { gatewayCommandEvents } from '../../cloud/cluster/gateway-commands.ts';
import { PostgresCommandStore } from '../../cloud/commands/postgres-store.ts';
import { CommandService } from '../../cloud/commands/service.ts';
import type { CommandRecord } from '../../cloud/commands/store.ts';
import { Counters } from '../../cloud/monitoring/counters.ts';
import { tenantSchemaMigrations } from '../../cloud/postgres/schema-migrations.ts';
import type { DeviceRecord } from '../../cloud/registry/store.ts';
import { startOwnNats } from '../../scripts/cluster/nats-server.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { silentLog } from '../helpers/cloud.ts';
import { testDatabase } from '../helpers/postgres.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();
const database = testDatabase();
const tenant = 'brno';
const device = (id: string, gatewayId: string) =>
  ({
    id,
    kind: 'streetlight',
    gatewayId,
    district: 'centrum',
    provisioned: true,
    latest: {},
  }) as DeviceRecord;

/**
 * One cloud node's command path as cloud.ts wires it in cluster mode, without its broker: a command
 * service on the shared PostgreSQL store, the relay on its own NATS connection, and the broker's
 * gateway events. What it publishes to its gateways is recorded.
 */
async function startNode(natsUrl: string, schema: Awaited<ReturnType<typeof database.schema>>) {
  const prefix = 'city.gateways';
  const nc = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  const counters = new Counters();
  const relay = new CommandRelay({
    connection: () => nc,
    prefix,
    timeoutMs: 2_000,
    log: silentLog,
    counters,
  });
  const published: { gatewayId: string; commandId: string }[] = [];
  const store = new PostgresCommandStore(schema);
  const service = new CommandService({
    store,
    counters,
    log: silentLog,
    now: () => new Date(),
    publish: (gatewayId, message) => void published.push({ gatewayId, commandId: message.commandId }),
    forward: (record) => relay.forward(tenant, record),
  });
  const commands = {
    service,
    gateways: {
      onGatewayListening: (gateway: string) => service.gatewayListening(gateway),
      onGatewayGone: (gateway: string) => service.gatewayGone(gateway),
    },
  };
  const gateways = gatewayCommandEvents({ commandsOf: () => commands, relay, log: silentLog });
  const stop = () => nc.close();
  cleanups.push(stop);
  return { service, store, gateways, published, counters, stop };
}

describe('commands across cluster nodes (real NATS, shared PostgreSQL store)', () => {
  it('reach the gateway on the node holding it, wait while it is connected nowhere, and are recorded once', async () => {
    // A NATS of its own, to restart.
    const nats = await startOwnNats();
    cleanups.push(() => nats.stop());
    const schema = await database.schema(tenantSchemaMigrations);
    const [a, b] = [await startNode(nats.url, schema), await startNode(nats.url, schema)];
    const command = { action: 'switch', on: true } as const;

    // gw-1 listens on B; the command is created through A.
    await b.gateways.onGatewayListening('gw-1', tenant);
    const [sent] = await a.service.create([device('lamp-1', 'gw-1')], command, 60_000);
    expect(sent?.status).toBe('sent');
    expect(a.published).toEqual([]);
    expect(b.published).toEqual([{ gatewayId: 'gw-1', commandId: sent?.id }]);
    // The PUBACK and the result arrive on B; A reads them from the shared store.
    await b.service.delivered(sent?.id as string);
    await b.service.result('gw-1', {
      v: 1,
      gatewayId: 'gw-1',
      commandId: sent?.id as string,
      status: 'succeeded',
      ts: new Date().toISOString(),
    });
    const [done] = (await a.store.list({ gatewayId: 'gw-1', limit: 10, offset: 0 })).items;
    expect(done).toMatchObject({ id: sent?.id, status: 'succeeded' });
    expect(done?.deliveredAt).toBeDefined();

    // gw-2 is connected nowhere: the command waits, and goes out when gw-2 connects to B.
    const [queued] = await a.service.create([device('lamp-2', 'gw-2')], command, 60_000);
    expect(queued?.status).toBe('pending');
    await b.gateways.onGatewayListening('gw-2', tenant);
    expect(b.published.at(-1)).toEqual({ gatewayId: 'gw-2', commandId: queued?.id });

    // A command created while NATS was away could not be forwarded (it is only in the store): B
    // reads it once its connection is back.
    const at = new Date();
    await a.store.insert([
      {
        ...(queued as CommandRecord),
        id: randomUUID(),
        status: 'pending',
        createdAt: at.toISOString(),
        expiresAt: new Date(at.getTime() + 60_000).toISOString(),
      },
    ]);
    const [stranded] = (await a.store.list({ status: 'pending', limit: 1, offset: 0 })).items;
    await nats.restart();
    await waitFor('the stranded command sent by B', () =>
      b.published.some((p) => p.commandId === stranded?.id),
    );

    // B dies (its NATS connection with it); gw-1 reconnects to A, which sends what is created next itself.
    await b.stop();
    await a.gateways.onGatewayListening('gw-1', tenant);
    const [direct] = await a.service.create([device('lamp-1', 'gw-1')], command, 60_000);
    expect(a.published).toEqual([{ gatewayId: 'gw-1', commandId: direct?.id }]);

    // gw-1 goes from A: a command created meanwhile waits (no node answers), then A holds it again.
    a.gateways.onGatewayGone('gw-1', tenant);
    const [later] = await a.service.create([device('lamp-1', 'gw-1')], command, 60_000);
    expect(later?.status).toBe('pending');
    await a.gateways.onGatewayListening('gw-1', tenant);
    await waitFor('the waiting command sent', () => a.published.some((p) => p.commandId === later?.id));
    // Only the first command went from one node to the other.
    expect(a.counters.get('commands_forwarded')).toBe(1);
  });
});

describe('gateway configurations across cluster nodes (real NATS)', () => {
  it('are kept retained by every other node, and only configurations are shared', async () => {
    const nats = await startOwnNats();
    cleanups.push(() => nats.stop());
    const node = async () => {
      const nc = await connect({ servers: nats.url });
      cleanups.push(() => nc.close());
      const fanOut = new ConfigFanOut({
        connection: () => nc,
        prefix: 'city.gateways',
        log: silentLog,
        counters: new Counters(),
      });
      const retained: unknown[] = [];
      fanOut.takeOthers((tenant, gateway, body) => void retained.push({ tenant, gateway, body }));
      await nc.flush();
      const sent: string[] = [];
      return { fanOut, retained, sent, send: fanOut.sharing(tenant, (topic) => void sent.push(topic)) };
    };
    const [a, b] = [await node(), await node()];
    const config = { v: 1, version: 3 };
    a.send(gatewayTopic('gw-1', 'commands'), { v: 1 });
    a.send(gatewayTopic('gw-1', 'config'), config, true);
    await waitFor('the configuration on B', () => b.retained.length > 0);
    expect(b.retained).toEqual([{ tenant, gateway: 'gw-1', body: config }]);
    expect(a.sent).toEqual([gatewayTopic('gw-1', 'commands'), gatewayTopic('gw-1', 'config')]);
    // A's own configuration does not come back to it.
    expect(a.retained).toEqual([]);
  });
});
