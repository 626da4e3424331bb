import { PassThrough } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { HeldPings, takePings } from '../../../../cloud/broker/held-pings.ts';

const ping = mqttPacket.generate({ cmd: 'pingreq' });
const publish = (n: number, bytes = 10) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: `t/${n}`,
    payload: Buffer.alloc(bytes, n),
    qos: 1,
    messageId: n,
    dup: false,
    retain: false,
  });

describe('takePings', () => {
  it('takes out the PINGREQs and keeps every other packet whole, in order', () => {
    const bytes = Buffer.concat([publish(1), ping, publish(2), ping, ping]);
    const { pings, kept, rest } = takePings(bytes);
    expect(pings).toBe(3);
    expect(Buffer.concat(kept)).toEqual(Buffer.concat([publish(1), publish(2)]));
    expect(rest).toHaveLength(0);
  });

  it('keeps an incomplete packet as the rest, also one whose length bytes are cut', () => {
    const large = publish(3, 300); // a remaining length of two bytes
    expect(takePings(Buffer.concat([ping, large.subarray(0, 2)]))).toMatchObject({ pings: 1, kept: [] });
    expect(takePings(Buffer.concat([ping, large.subarray(0, 2)])).rest).toEqual(large.subarray(0, 2));
    const cut = Buffer.concat([ping, large.subarray(0, large.length - 1)]);
    expect(takePings(cut).rest).toEqual(large.subarray(0, large.length - 1));
    expect(takePings(large).kept).toEqual([large]);
  });

  it('stops at a malformed remaining length (more than four bytes) and keeps the rest for the parser', () => {
    const bad = Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const { pings, kept, rest } = takePings(Buffer.concat([ping, bad, ping]));
    expect(pings).toBe(1);
    expect(kept).toEqual([]);
    expect(rest).toEqual(Buffer.concat([bad, ping]));
  });

  it('does not take a PINGREQ-typed packet with a body as a ping', () => {
    const odd = Buffer.from([0xc0, 0x01, 0x00]);
    expect(takePings(odd)).toMatchObject({ pings: 0, kept: [odd] });
  });
});

describe('HeldPings', () => {
  it('answers PINGREQs read aside and puts the other packets back in front of the stream, in order', async () => {
    const conn = new PassThrough();
    const written: Buffer[] = [];
    const write = conn.write.bind(conn);
    // What the held client is answered (the broker's writes) is seen here, not read back.
    conn.write = ((chunk: Buffer) => {
      written.push(chunk);
      return true;
    }) as typeof conn.write;
    let pings = 0;
    const held = new HeldPings(conn, { maxKeptBytes: 1024, onPing: () => pings++ });
    const later = publish(5);
    write(Buffer.concat([publish(1), ping, publish(2).subarray(0, 4)]));
    await new Promise((resolve) => setImmediate(resolve));
    write(Buffer.concat([publish(2).subarray(4), ping]));
    await new Promise((resolve) => setImmediate(resolve));
    expect(pings).toBe(2);
    expect(written).toEqual([Buffer.from([0xd0, 0x00]), Buffer.from([0xd0, 0x00])]);
    held.end();
    write(later);
    await new Promise((resolve) => setImmediate(resolve));
    expect(conn.read()).toEqual(Buffer.concat([publish(1), publish(2), later]));
  });

  it('reads no more than its bound aside: the rest waits in the stream', async () => {
    const conn = new PassThrough();
    let pings = 0;
    const held = new HeldPings(conn, { maxKeptBytes: 10, onPing: () => pings++ });
    conn.write(publish(1, 20));
    await new Promise((resolve) => setImmediate(resolve));
    conn.write(ping);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pings).toBe(0);
    held.end();
    expect(conn.read()).toEqual(Buffer.concat([publish(1, 20), ping]));
  });
});
