import { Point } from '@influxdata/influxdb-client';
import mqtt from 'mqtt';
import { InfluxConnection } from '../cloud/storage/influx.ts';
import { batchToPoints } from './peer-points.ts';
import { telemetryTopic } from './readings.ts';

/**
 * The naive bridge (issue 18's baseline): an mqtt.js QoS 1 subscriber on Mosquitto that turns each
 * telemetry batch into points (bench/peer-points.ts) and hands them to the InfluxDB client's WriteApi
 * with its default options (batches of 1,000 lines, up to 5 retries from an in-memory buffer of at most
 * 32,000 lines) but for the flush interval: every second (the default, 60 s, would hold a last
 * partial batch for a minute). No journal, no validation: what validation and durability cost, by difference.
 * Run as its own process: `node bench/naive-bridge.ts <mqtt url> <influx url> <database>`; prints
 * `ready` once subscribed. InfluxConnection only sends the WriteApi's writes to 1.x's `/write`.
 */
const [mqttUrl, influxUrl, database] = process.argv.slice(2);
if (!mqttUrl || !influxUrl || !database) {
  console.error('usage: node bench/naive-bridge.ts <mqtt url> <influx url> <database>');
  process.exit(2);
}
const influx = new InfluxConnection({ url: influxUrl, token: '', database, org: '' });
await influx.setUp();
const writeApi = influx.writeApi({ flushInterval: 1_000 });
const client = await mqtt.connectAsync(mqttUrl, { clientId: 'naive-bridge', clean: true });
client.on('message', (_topic, payload) => {
  for (const p of batchToPoints(payload.toString())) {
    const point = new Point(p.measurement).timestamp(p.timestamp);
    for (const [key, value] of Object.entries(p.tags)) point.tag(key, value);
    for (const [key, value] of Object.entries(p.fields)) {
      if (typeof value === 'number') point.floatField(key, value);
      else if (typeof value === 'boolean') point.booleanField(key, value);
      else point.stringField(key, value);
    }
    writeApi.writePoint(point);
  }
});
await client.subscribeAsync(telemetryTopic('+'), { qos: 1 });
console.log('ready');
process.once('SIGTERM', () => {
  void writeApi
    .close()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
