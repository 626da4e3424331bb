import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

/**
 * An MQTT 3.1.1 client that writes bytes as given: mqtt.js refuses to send a topic with a wildcard,
 * an empty one or one that is not UTF-8, so the byte-level tests hand-build their PUBLISH packets.
 */
export interface RawMqtt {
  /** Writes one QoS 1 PUBLISH; resolves when the broker acknowledges it or closes the connection. */
  publish(topic: Uint8Array, payload: Uint8Array): Promise<'acked' | 'closed'>;
  /** Writes any bytes; resolves when the broker closes the connection (or after `timeoutMs`, 'open'). */
  sendRaw(bytes: Uint8Array, timeoutMs?: number): Promise<'closed' | 'open'>;
  readonly closed: boolean;
  close(): void;
}

/** The MQTT variable byte integer of a remaining length [MQTT-2.2.3]. */
function remainingLength(length: number): Buffer {
  const bytes: number[] = [];
  let rest = length;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0);
  return Buffer.from(bytes);
}

/** A QoS 1 PUBLISH with the topic bytes exactly as given [MQTT-3.3]. */
export function publishPacket(topic: Uint8Array, payload: Uint8Array, messageId: number): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(topic.length);
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  const body = Buffer.concat([head, topic, id, payload]);
  return Buffer.concat([Buffer.from([0x32]), remainingLength(body.length), body]);
}

export async function rawConnect(port: number, gatewayId: string, secret: string): Promise<RawMqtt> {
  const socket: Socket = connect(port, '127.0.0.1');
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  socket.on('data', (data) => parser.parse(data));
  socket.on('error', () => {});
  let closed = false;
  const closeWaiters = new Set<() => void>();
  socket.on('close', () => {
    closed = true;
    for (const wake of closeWaiters) wake();
  });
  const acks = new Map<number, () => void>();
  const connack = new Promise<number>((resolve, reject) => {
    parser.on('packet', (packet) => {
      if (packet.cmd === 'connack') resolve(packet.returnCode ?? -1);
      if (packet.cmd === 'puback' && packet.messageId !== undefined) acks.get(packet.messageId)?.();
    });
    socket.once('close', () =>
      reject(new Error(`broker closed the connection of ${gatewayId} before CONNACK`)),
    );
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    mqttPacket.generate({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: gatewayId,
      username: gatewayId,
      password: Buffer.from(secret),
      keepalive: 60,
    }),
  );
  const code = await connack;
  if (code !== 0) throw new Error(`CONNECT of ${gatewayId} refused with return code ${code}`);
  const untilClosed = () =>
    new Promise<'closed'>((resolve) => {
      if (closed) resolve('closed');
      else closeWaiters.add(() => resolve('closed'));
    });
  let nextId = 1;
  return {
    get closed() {
      return closed;
    },
    publish(topic, payload) {
      const messageId = nextId;
      nextId = (nextId % 65_535) + 1;
      const acked = new Promise<'acked'>((resolve) => acks.set(messageId, () => resolve('acked')));
      socket.write(publishPacket(topic, payload, messageId));
      return Promise.race([acked, untilClosed()]).finally(() => acks.delete(messageId));
    },
    sendRaw(bytes, timeoutMs = 2_000) {
      socket.write(bytes);
      return Promise.race([
        untilClosed(),
        new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), timeoutMs).unref()),
      ]);
    },
    close: () => socket.destroy(),
  };
}
