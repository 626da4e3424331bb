import type { Duplex } from 'node:stream';

/** PINGREQ and PINGRESP: a fixed header with no remaining length (MQTT 3.1.1 and 5). */
const pingreq = 0xc0;
const pingresp = Buffer.from([0xd0, 0x00]);

/**
 * Splits bytes read from a client into its PINGREQs and everything else, in order: `kept` holds the
 * other whole packets, `rest` a packet not yet complete (and, after a malformed length, all that
 * follows it: aedes's parser reports it once reading resumes). `bytes` must start at a packet.
 */
export function takePings(bytes: Buffer): { pings: number; kept: Buffer[]; rest: Buffer } {
  const kept: Buffer[] = [];
  let pings = 0;
  let at = 0;
  while (at < bytes.length) {
    const length = packetLength(bytes, at);
    if (length === undefined) break;
    if (bytes[at] === pingreq && length === 2) pings++;
    else kept.push(bytes.subarray(at, at + length));
    at += length;
  }
  return { pings, kept, rest: bytes.subarray(at) };
}

/** The whole length of the packet at `at` (fixed header included), or undefined if incomplete or malformed. */
function packetLength(bytes: Buffer, at: number): number | undefined {
  let remaining = 0;
  let multiplier = 1;
  // The remaining length: at most four bytes, seven bits each, least significant first.
  for (let i = 1; i <= 4; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) return undefined;
    remaining += (byte & 0x7f) * multiplier;
    multiplier *= 128;
    if ((byte & 0x80) === 0) {
      const length = 1 + i + remaining;
      return at + length <= bytes.length ? length : undefined;
    }
  }
  return undefined;
}

/**
 * While the broker reads nothing from a client (its publish waits for storage, see ReadPauses), the
 * client's PINGREQs sit behind that publish: unanswered, the client's own keep-alive gives up (mqtt.js
 * closes after 1.5 periods without an answer), and aedes's closes it too. So while held, the bytes
 * the client sends are read aside: PINGREQs are answered at once (and count as the client being
 * alive for aedes's keep-alive), every other packet is kept, in order, and put back in front of the
 * stream on release, where aedes's parser reads it as if it had waited in the socket. At most
 * `maxKeptBytes` are read aside; beyond that the socket is not read (TCP pushes back, as before).
 * Works only where aedes's parser holds no partial packet (it then starts at a packet boundary).
 */
export class HeldPings {
  private readonly conn: Duplex;
  private readonly onPing: () => void;
  private readonly maxKeptBytes: number;
  private kept: Buffer[] = [];
  private keptBytes = 0;
  private rest: Buffer = Buffer.alloc(0);
  private readonly listener = () => this.readAside();

  constructor(conn: Duplex, options: { onPing: () => void; maxKeptBytes: number }) {
    this.conn = conn;
    this.onPing = options.onPing;
    this.maxKeptBytes = options.maxKeptBytes;
    conn.on('readable', this.listener);
    this.readAside();
  }

  private readAside(): void {
    while (this.keptBytes + this.rest.length < this.maxKeptBytes) {
      const chunk = this.conn.read() as Buffer | null;
      if (chunk === null) return;
      const { pings, kept, rest } = takePings(
        this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk,
      );
      this.kept.push(...kept);
      for (const packet of kept) this.keptBytes += packet.length;
      this.rest = rest;
      for (let i = 0; i < pings; i++) {
        if (this.conn.writable) this.conn.write(pingresp);
        this.onPing();
      }
    }
  }

  /** Stops reading aside and puts what was kept back in front of the stream, for aedes to read. */
  end(): void {
    this.conn.off('readable', this.listener);
    const back = Buffer.concat([...this.kept, this.rest]);
    this.kept = [];
    this.rest = Buffer.alloc(0);
    if (back.length > 0 && !this.conn.destroyed) this.conn.unshift(back);
  }
}
