import { connectAsync, type IClientOptions } from 'mqtt';
import { gatewayTopic } from '../../shared/topics.ts';
import { generateFleet } from '../../simulators/fleet.ts';
import { withDevices } from './fleet.ts';

/**
 * A generated fleet's first gateway with `lamps` street lights of the test's own (`lamp-<prefix>-<i>`),
 * and the telemetry batches a test publishes for them by hand: batch n holds one reading of every
 * lamp, n seconds after a minute ago, with activePower n + i/100, as batch `<prefix><n>`.
 */
export function lampGateway(options: { seed: number; devices: number; lamps: number; prefix: string }) {
  const generated = generateFleet({
    seed: options.seed,
    devices: options.devices,
    devicesPerGateway: options.devices,
  });
  const gateway = generated.gateways[0]?.id as string;
  const lamps = Array.from({ length: options.lamps }, (_, i) => `lamp-${options.prefix}-${i}`);
  const fleet = withDevices(
    generated,
    lamps.map((id) => ({ id, kind: 'streetlight', gatewayId: gateway })),
  );
  return {
    fleet,
    gateway,
    topic: gatewayTopic(gateway, 'telemetry'),
    batch: (n: number) =>
      JSON.stringify({
        v: 1,
        gatewayId: gateway,
        sentAt: new Date().toISOString(),
        batchId: `${options.prefix}${n}`,
        readings: lamps.map((deviceId, i) => ({
          deviceId,
          kind: 'streetlight',
          ts: new Date(Date.now() - 60_000 + n * 1_000).toISOString(),
          metrics: { activePower: n + i / 100 },
        })),
      }),
    /** The gateway's own MQTT connection, never reconnecting by itself. */
    connect: (mqttUrl: string, secret: string | undefined, extra: IClientOptions = {}) =>
      connectAsync(mqttUrl, {
        clientId: gateway,
        username: gateway,
        password: secret,
        reconnectPeriod: 0,
        ...extra,
      }),
  };
}
