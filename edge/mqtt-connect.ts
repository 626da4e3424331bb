import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { type AgentConfig, EdgeConfigError } from './config.ts';

type TlsFiles = NonNullable<AgentConfig['mqtt']['tls']>;

/**
 * The PEM files of `mqtt.tls`, read now, as mqtt.js's `ca`, `cert` and `key` options. A file that
 * cannot be read is an EdgeConfigError naming the field and the file.
 */
export function readTlsFiles(tls: TlsFiles | undefined): Pick<IClientOptions, 'ca' | 'cert' | 'key'> {
  const read = (field: keyof TlsFiles) => {
    const path = tls?.[field];
    if (path === undefined) return {};
    try {
      return { [field.replace(/File$/, '')]: readFileSync(path) };
    } catch (error) {
      throw new EdgeConfigError(`mqtt.tls.${field}: cannot read ${path}: ${(error as Error).message}`);
    }
  };
  return { ...read('caFile'), ...read('certFile'), ...read('keyFile') };
}

/**
 * `mqtt.connect`, without the transports a plain TCP URL does not use. On its first call
 * `mqtt.connect` loads all of them (WebSocket with `ws`, TLS, SOCKS, and Node's http, https, tls and
 * zlib): +6.4 MB of RSS under `node --lite-mode` (issue 7). A plain `mqtt://host:port` or
 * `tcp://host:port` URL gets a TCP connection, as mqtt.js's own TCP transport makes it; every other
 * URL, one with credentials, a path or a query, or a SOCKS proxy in MQTTJS_SOCKS_PROXY, goes through
 * `mqtt.connect`. TLS (mqtts://, wss://) always goes through `mqtt.connect`, with the client
 * certificate and CA from `tls` (see readTlsFiles); the config refuses `tls` with a plain URL, so
 * node:tls is never loaded for one. Every client of the agent (its own, the camera-analytics and
 * ChirpStack drivers') connects through here.
 *
 * `writeCache` is always off: with it on, mqtt-packet fills a cache of 65,536 two-byte buffers (6.5
 * MB of heap, issue 7) the first time a client writes a packet; the switch is global to mqtt-packet,
 * so one client created without it would fill the cache for all.
 */
export function connectMqtt(url: string, clientOptions: IClientOptions, tls?: TlsFiles): MqttClient {
  const options: IClientOptions = { ...clientOptions, writeCache: false };
  const parsed = new URL(url);
  const tcp = parsed.protocol === 'mqtt:' || parsed.protocol === 'tcp:';
  const plain = parsed.username === '' && parsed.password === '' && parsed.search === '';
  const path = parsed.pathname === '' || parsed.pathname === '/';
  if (!tcp || !plain || !path || process.env.MQTTJS_SOCKS_PROXY)
    return mqtt.connect(url, { ...options, ...readTlsFiles(tls) });
  // new URL keeps the brackets of an IPv6 address; net.createConnection wants it without.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port === '' ? 1883 : Number(parsed.port);
  return new mqtt.MqttClient(() => createConnection({ host, port }), {
    ...options,
    protocol: 'mqtt',
    host,
    port,
  });
}
