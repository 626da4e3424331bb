import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ChirpStack's time: RFC 3339 with nanoseconds and an offset. */
export const chirpstackTime = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}456789+00:00`;

export interface ChirpstackApplication {
  /** An uplink event of `eui` on `fPort` carrying the frame `hex` (spaces allowed), received at `at`. */
  uplink(eui: string, fPort: number, hex: string, at?: number): Record<string, unknown>;
  /** Publishes an event (an object as JSON, a string as it is) on the device's event topic at QoS 1. */
  publish(eui: string, event: 'up' | 'status' | 'join', body: object | string): Promise<void>;
}

/**
 * ChirpStack v4's MQTT integration as a test plays it, for one application on a test's Mosquitto
 * (test/helpers/mosquitto.ts): events in ChirpStack's JSON, published with mosquitto_pub as the
 * integration's user. Each uplink gets the next deduplicationId and frame counter.
 */
export function chirpstackApplication(
  brokerUrl: string,
  user: { name: string; password: string },
  applicationId: string,
): ChirpstackApplication {
  let uplinks = 0;
  return {
    uplink(eui: string, fPort: number, hex: string, at = Date.now()) {
      uplinks++;
      return {
        deduplicationId: `00000000-0000-4000-8000-${String(uplinks).padStart(12, '0')}`,
        time: chirpstackTime(at),
        deviceInfo: {
          tenantId: '52f14cd4-c6f1-4fbd-8f87-4025e1d49242',
          applicationId,
          applicationName: 'City sensors',
          deviceProfileName: 'profile',
          deviceName: eui,
          devEui: eui,
        },
        devAddr: '00189440',
        dr: 5,
        fCnt: uplinks,
        fPort,
        data: Buffer.from(hex.replace(/\s/g, ''), 'hex').toString('base64'),
        rxInfo: [{ gatewayId: '0016c001f153a14c', rssi: -97, snr: 7.5 }],
      };
    },

    async publish(eui: string, event: 'up' | 'status' | 'join', body: object | string): Promise<void> {
      const topic = `application/${applicationId}/device/${eui}/event/${event}`;
      const message = typeof body === 'string' ? body : JSON.stringify(body);
      const { port } = new URL(brokerUrl);
      await run('mosquitto_pub', [
        ...['-h', '127.0.0.1', '-p', port, '-u', user.name, '-P', user.password],
        ...['-q', '1', '-t', topic, '-m', message],
      ]);
    },
  };
}
