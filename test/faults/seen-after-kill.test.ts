import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { cleanupsAfterAll } from '../helpers/cleanups.ts';
import { getJson, testAdminToken } from '../helpers/cloud.ts';
import { startFaultCloud } from '../helpers/fault-cloud.ts';
import { waitFor } from '../helpers/wait.ts';

const cleanups = cleanupsAfterAll();

/** A row of a tenant's database, read beside the running cloud (read only). */
function readRow(path: string, sql: string, id: string): Record<string, unknown> | undefined {
  const db = new DatabaseSync(path, { readOnly: true });
  try {
    return db.prepare(sql).get(id) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

describe('the cloud process is killed with SIGKILL after its seen thread wrote a flush', () => {
  it("comes back with the device's last seen time and latest values from seen.db", {
    timeout: 60_000,
  }, async () => {
    const fleet = generateFleet({ seed: 5, devices: 4, devicesPerGateway: 4 });
    const lamp = fleet.devices.find((d) => d.kind === 'streetlight');
    if (!lamp) throw new Error('the fleet has no street light');
    const fault = await startFaultCloud(cleanups, {
      fleet,
      database: 'seenkill',
      extra: { ADMIN_TOKEN: testAdminToken },
    });
    const tenantDir = join(fault.dir, 'cloud', 'tenants', 'default');
    const client = await connectAsync(fault.mqttUrl, {
      clientId: lamp.gatewayId,
      username: lamp.gatewayId,
      password: fault.secrets.get(lamp.gatewayId),
      reconnectPeriod: 0,
    });
    cleanups.push(() => client.endAsync(true));
    const metrics = { powerState: 'on', dimmingLevel: 35, activePower: 21.5 };
    const ts = new Date(Date.now() - 60_000).toISOString();
    await client.publishAsync(
      gatewayTopic(lamp.gatewayId, 'telemetry'),
      JSON.stringify({
        v: 1,
        gatewayId: lamp.gatewayId,
        sentAt: new Date().toISOString(),
        batchId: 'seen-1',
        readings: [{ deviceId: lamp.id, kind: 'streetlight', ts, metrics }],
      }),
      { qos: 1 },
    );

    // The registry's one-second flush, written by the seen thread into seen.db (not cloud.db).
    const seen = await waitFor('the flush in seen.db', () =>
      readRow(join(tenantDir, 'seen.db'), 'SELECT * FROM device_seen WHERE id = ?', lamp.id),
    );
    expect(JSON.parse(String(seen.latest))).toMatchObject(metrics);
    expect(seen.latest_ts).toBe(ts);
    expect(
      readRow(join(tenantDir, 'cloud.db'), 'SELECT last_seen FROM devices WHERE id = ?', lamp.id),
    ).toEqual({
      last_seen: null,
    });

    fault.process.child.kill('SIGKILL');
    expect(await fault.process.exited).toBe('SIGKILL');
    await fault.restart();
    const { status, body } = await getJson<{
      lastSeen?: string;
      latest: Record<string, unknown>;
      latestTs?: string;
    }>(`${fault.process.apiUrl}/api/v1/devices/${encodeURIComponent(lamp.id)}`);
    expect(status).toBe(200);
    expect(body.lastSeen).toBe(seen.last_seen);
    expect(body.latest).toMatchObject(metrics);
    expect(body.latestTs).toBe(ts);
  });
});
