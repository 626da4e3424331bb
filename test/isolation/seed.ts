import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { tenantDatabase } from '../../cloud/tenants/database-name.ts';
import { streamingCity } from '../../scripts/streaming-city.ts';
import { gatewayTopic } from '../../shared/topics.ts';
import { silentLog } from '../helpers/cloud.ts';
import { asRegion, type Town } from '../helpers/tenants.ts';
import { waitFor } from '../helpers/wait.ts';
import { type TownAdmin, townAdmin } from './accounts.ts';
import type { TownIds } from './operations.ts';
import type { Region } from './region.ts';

/** A town with data of every sort, its admin's credentials and what marks its data as its own. */
export interface SeededTown {
  town: Town;
  admin: TownAdmin;
  ids: TownIds;
  /** The town's lamp the rule watches and the command went to. */
  lamp: string;
  /** Its ids, names and contents: none may appear in another tenant's answers. */
  markers: string[];
}

/** A gateway provisioned for the town but in no fleet file: what it sends is dead-lettered. */
export const probeGateway = (prefix: string) => `${prefix}-gw-probe`;

const json = async <T = Record<string, unknown>>(res: Response | Promise<Response>): Promise<T> => {
  const answer = await res;
  const text = await answer.text();
  if (answer.status >= 300) throw new Error(`${answer.url}: ${answer.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
};

/**
 * Gives a town real data through its real paths: its admin token and user, a rule made over the
 * API that fires on its lamp, readings and events from its edge agents (streamingCity), a command
 * its lamp carries out, a configuration its gateway applies, a dead letter whose payload a debug
 * capture keeps, and the audit trail of all of it. The agents are stopped at the end, so that the
 * town's answers stay as they are while other tenants probe it.
 */
export async function seedTown(
  region: Region,
  town: Town,
  prefix: string,
  /** How many dead letters its probe gateway leaves (their ids count from 1 in each tenant). */
  deadLetters = 1,
): Promise<SeededTown> {
  const { apiUrl, mqttUrl } = region.cloud;
  const as = (path: string, init: RequestInit = {}) => asRegion(apiUrl, town.id, path, init);
  const admin = await townAdmin(apiUrl, town.id, prefix);
  const lamp = town.fleet.devices.find((d) => d.kind === 'streetlight')?.id as string;
  const gateway = town.fleet.gateways[0]?.id as string;
  const ruleId = `${prefix}-voltage-watch`;
  const ruleName = `${town.fleet.city.name} voltage watch`;
  await json(
    as('/api/v1/rules', {
      method: 'POST',
      body: JSON.stringify({
        id: ruleId,
        name: ruleName,
        severity: 'minor',
        target: { kind: 'streetlight', devices: [lamp] },
        condition: { type: 'threshold', metric: 'voltage', op: '>', value: 1 },
        channels: ['log', 'mqtt'],
      }),
    }),
  );
  const probe = probeGateway(prefix);
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  await json(
    as(`/api/v1/gateways/${probe}/debug-capture`, {
      method: 'PUT',
      body: JSON.stringify({ until: inAnHour }),
    }),
  );

  const city = await streamingCity({
    log: silentLog,
    fleet: town.fleet,
    mqttUrl,
    dataDir: join(region.dir, 'edge', town.id),
    secrets: region.secrets,
  });
  for (let i = 0; i < 3; i++) await city.pollAll();
  await city.drained();
  await json(
    as(`/api/v1/gateways/${gateway}/config`, {
      method: 'PUT',
      body: JSON.stringify({ reportingIntervalS: 45 }),
    }),
  );
  const command = await json<{ id: string }>(
    as(`/api/v1/devices/${lamp}/commands`, {
      method: 'POST',
      body: JSON.stringify({ command: { action: 'setDimming', level: 40 } }),
    }),
  );
  await waitFor(`${town.id}'s command carried out`, async () => {
    const record = await json<{ status: string }>(as(`/api/v1/commands/${command.id}`));
    return record.status === 'succeeded';
  });
  await waitFor(`${town.id}'s gateway applying its configuration`, async () => {
    const state = await json<{ reported: { version: number } | null }>(
      as(`/api/v1/gateways/${gateway}/config`),
    );
    return state.reported?.version === 1;
  });
  const alerts = await waitFor(`${town.id}'s rule firing`, async () => {
    const page = await json<{ items: { id: string }[] }>(as(`/api/v1/alerts?rule=${ruleId}&state=open`));
    return page.items.length > 0 ? page.items : undefined;
  });

  const secretPayload = `${prefix}-secret-payload-marker`;
  const client = await connectAsync(mqttUrl, {
    clientId: probe,
    username: probe,
    password: region.secrets.get(probe),
    reconnectPeriod: 0,
  });
  for (let i = 0; i < deadLetters; i++)
    await client.publishAsync(
      gatewayTopic(probe, 'telemetry'),
      JSON.stringify({ v: 1, note: secretPayload }),
      {
        qos: 1,
      },
    );
  await client.endAsync();
  const letters = await json<{ items: { id: number }[] }>(as(`/api/v1/dead-letters?gateway=${probe}`));

  await city.stop();
  await waitFor(`${town.id}'s gateways offline`, async () => {
    const { items } = await json<{ items: { state: string }[] }>(as('/api/v1/gateways'));
    return items.every((g) => g.state === 'offline');
  });
  await region.cloud.cloud.flush();

  const everything = async <T>(path: string) => (await json<{ items: T[] }>(as(path))).items;
  const allAlerts = await everything<{ id: string }>('/api/v1/alerts?limit=1000');
  const allCommands = await everything<{ id: string }>('/api/v1/commands?limit=1000');
  const ids: TownIds = {
    tenant: town.id,
    device: lamp,
    gateway,
    alert: alerts[0]?.id as string,
    rule: ruleId,
    command: command.id,
    // The newest: a number the other town's letters do not reach when it left fewer.
    deadLetter: letters.items[0]?.id as number,
    user: admin.user.username,
    token: admin.token.id,
  };
  const markers = [
    town.id,
    town.fleet.city.name,
    tenantDatabase(region.cloud.influx.settings.database, town.id),
    ...town.fleet.devices.map((d) => d.id),
    ...town.fleet.gateways.map((g) => g.id),
    ...new Set(town.fleet.devices.map((d) => d.district)),
    probe,
    admin.user.username,
    `${prefix} town admin`,
    admin.token.id,
    admin.token.name,
    ruleId,
    ruleName,
    ...allAlerts.map((a) => a.id),
    ...allCommands.map((c) => c.id),
    secretPayload,
  ];
  return { town, admin, ids, lamp, markers };
}
