import { once } from 'node:events';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { ModbusTCPResponse, ModbusTCPServer, responses } from 'jsmodbus';

type Table = 'holding' | 'input' | 'coil' | 'discrete';

/**
 * A Modbus TCP device for tests: jsmodbus's TCP server (a real peer on a loopback port, speaking
 * the protocol's framing) over a bank of registers and bits the test sets. It has `size` of each
 * table, from address 0; a request past them is answered with exception 2 (illegal data address),
 * as a real device does. With `answering` false it takes requests and says nothing, like a device
 * that hung or a cable that was cut behind a switch.
 */
export interface ModbusTestDevice {
  port: number;
  answering: boolean;
  /** Requests received, answered or not. */
  readonly requests: number;
  /** Every write, in order: the table, the address and the registers or bits written. */
  readonly writes: { table: 'holding' | 'coil'; address: number; values: number[] }[];
  set(table: Table, address: number, values: readonly number[]): void;
  get(table: Table, address: number, count: number): number[];
  stop(): Promise<void>;
}

export async function startModbusDevice(size: Record<Table, number>): Promise<ModbusTestDevice> {
  const banks: Record<Table, number[]> = {
    holding: new Array(size.holding).fill(0),
    input: new Array(size.input).fill(0),
    coil: new Array(size.coil).fill(0),
    discrete: new Array(size.discrete).fill(0),
  };
  const sockets = new Set<Socket>();
  const netServer = createServer();
  netServer.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    // A client that gave up on a request resets its connection: the device just loses it.
    socket.on('error', () => socket.destroy());
  });
  const server = new ModbusTCPServer(netServer, {
    holding: undefined,
    input: undefined,
    coils: undefined,
    discrete: undefined,
  });
  const state = { answering: true, requests: 0 };
  const writes: ModbusTestDevice['writes'] = [];

  type Request = Parameters<typeof ModbusTCPResponse.fromRequest>[0];
  type Reply = (payload: Buffer) => void;
  const answer = (
    request: Request,
    reply: Reply,
    body: () => Parameters<typeof ModbusTCPResponse.fromRequest>[1],
  ) => {
    state.requests++;
    if (!state.answering) return;
    reply(ModbusTCPResponse.fromRequest(request, body()).createPayload());
  };
  const exception = (request: Request, code: number) =>
    new responses.ExceptionResponseBody((request.body as { fc: number }).fc as 1, code as 2);
  const inRange = (table: Table, address: number, count: number) => address + count <= banks[table].length;

  const readRegisters = (table: 'holding' | 'input') => (request: Request, reply: Reply) =>
    answer(request, reply, () => {
      const { start, count } = request.body as unknown as { start: number; count: number };
      if (!inRange(table, start, count)) return exception(request, 2);
      const bytes = Buffer.alloc(banks[table].length * 2);
      banks[table].forEach((word, i) => {
        bytes.writeUInt16BE(word, i * 2);
      });
      const body = { start, count } as never;
      return table === 'holding'
        ? responses.ReadHoldingRegistersResponseBody.fromRequest(body, bytes)
        : responses.ReadInputRegistersResponseBody.fromRequest(body, bytes);
    });
  const readBits = (table: 'coil' | 'discrete') => (request: Request, reply: Reply) =>
    answer(request, reply, () => {
      const { start, count } = request.body as unknown as { start: number; count: number };
      if (!inRange(table, start, count)) return exception(request, 2);
      const bits = banks[table].slice(start, start + count).map((b) => (b ? 1 : 0)) as (0 | 1)[];
      return table === 'coil'
        ? new responses.ReadCoilsResponseBody(bits, Math.ceil(count / 8))
        : new responses.ReadDiscreteInputsResponseBody(bits, Math.ceil(count / 8));
    });

  // Without buffers, jsmodbus's server hands each request to these listeners (its typings know only
  // the buffer mode's events).
  const events = server as unknown as {
    on(event: string, listener: (request: Request, reply: Reply) => void): void;
  };
  events.on('readHoldingRegisters', readRegisters('holding'));
  events.on('readInputRegisters', readRegisters('input'));
  events.on('readCoils', readBits('coil'));
  events.on('readDiscreteInputs', readBits('discrete'));
  events.on('writeSingleCoil', (request, reply) =>
    answer(request, reply, () => {
      const { address, value } = request.body as unknown as { address: number; value: number };
      if (!inRange('coil', address, 1)) return exception(request, 2);
      banks.coil[address] = value === 0xff00 ? 1 : 0;
      writes.push({ table: 'coil', address, values: [banks.coil[address] as number] });
      return responses.WriteSingleCoilResponseBody.fromRequest(request.body as never);
    }),
  );
  events.on('writeMultipleRegisters', (request, reply) =>
    answer(request, reply, () => {
      const { address, valuesAsBuffer } = request.body as unknown as {
        address: number;
        valuesAsBuffer: Buffer;
      };
      const values = Array.from({ length: valuesAsBuffer.length / 2 }, (_, i) =>
        valuesAsBuffer.readUInt16BE(i * 2),
      );
      if (!inRange('holding', address, values.length)) return exception(request, 2);
      banks.holding.splice(address, values.length, ...values);
      writes.push({ table: 'holding', address, values });
      return responses.WriteMultipleRegistersResponseBody.fromRequest(request.body as never);
    }),
  );

  netServer.listen(0, '127.0.0.1');
  await once(netServer, 'listening');
  return {
    port: (netServer.address() as AddressInfo).port,
    get answering() {
      return state.answering;
    },
    set answering(on: boolean) {
      state.answering = on;
    },
    get requests() {
      return state.requests;
    },
    writes,
    set(table, address, values) {
      banks[table].splice(address, values.length, ...values);
    },
    get(table, address, count) {
      return banks[table].slice(address, address + count);
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => netServer.close(() => resolve()));
    },
  };
}
