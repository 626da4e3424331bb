import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type TcpClientModule from 'jsmodbus/dist/modbus-tcp-client.js';
import type { ReadRequest, WriteRequest } from './mapping.ts';

/**
 * jsmodbus's TCP client alone: its index also loads the RTU client (with 13 CRC modules) and both
 * servers, ~0.6 MB of the agent's RSS. Required, not imported: Node's import of this CommonJS module
 * gives `module.exports` as the default, vitest its `default`; require gives the same in both.
 */
const { default: ModbusTCPClient } = createRequire(import.meta.url)(
  'jsmodbus/dist/modbus-tcp-client.js',
) as typeof TcpClientModule;
type ModbusTCPClient = InstanceType<typeof ModbusTCPClient>;

export interface ConnectionOptions {
  host: string;
  port: number;
  /** The Modbus unit id (slave address behind a gateway; 1 or 255 for most TCP devices). */
  unitId: number;
  /** How long a connect or one request may take. */
  timeoutMs: number;
  /** How often a request is tried again after a timeout or a lost connection. */
  retries: number;
}

/**
 * Why a request failed, as the health code it is reported with: `timeout`, `connectionRefused`,
 * `connectionLost`, or `modbusException` with the exception code the device answered (2: illegal
 * data address, a register it does not have).
 */
export class ModbusRequestError extends Error {
  readonly code: 'timeout' | 'connectionRefused' | 'connectionLost' | 'modbusException';
  readonly exception?: number;

  constructor(code: ModbusRequestError['code'], message: string, exception?: number) {
    super(message);
    this.code = code;
    this.exception = exception;
  }
}

/** A jsmodbus UserRequestError, or a socket's error, as ours. */
function asRequestError(error: unknown): ModbusRequestError {
  if (error instanceof ModbusRequestError) return error;
  const { err, code, response, message } = error as {
    err?: string;
    code?: string;
    message?: string;
    response?: { body?: { code?: number } };
  };
  if (err === 'ModbusException')
    return new ModbusRequestError('modbusException', message ?? 'exception', response?.body?.code);
  if (err === 'Timeout') return new ModbusRequestError('timeout', 'no answer in time');
  if (code === 'ECONNREFUSED') return new ModbusRequestError('connectionRefused', 'connection refused');
  return new ModbusRequestError('connectionLost', message ?? 'connection lost');
}

/**
 * One Modbus TCP connection to one device (jsmodbus's client): opened when first needed, requests
 * one at a time, each with a timeout and `retries` more tries on a fresh connection after a timeout
 * or a lost connection. A Modbus exception is the device's answer and is never tried again.
 */
export class ModbusConnection {
  private readonly options: ConnectionOptions;
  private socket?: Socket;
  private client?: Promise<ModbusTCPClient>;

  constructor(options: ConnectionOptions) {
    this.options = options;
  }

  /** The registers (or bits, as 0 and 1) asked for. */
  read({ table, address, count }: ReadRequest): Promise<number[]> {
    return this.attempt(async (client) => {
      switch (table) {
        case 'holding':
          return [...(await client.readHoldingRegisters(address, count)).response.body.valuesAsArray];
        case 'input':
          return [...(await client.readInputRegisters(address, count)).response.body.valuesAsArray];
        case 'coil':
          return bits((await client.readCoils(address, count)).response.body.valuesAsArray, count);
        case 'discrete':
          return bits((await client.readDiscreteInputs(address, count)).response.body.valuesAsArray, count);
      }
    });
  }

  /** Registers with function 16 (write multiple registers), a coil with function 5. */
  async write(request: WriteRequest): Promise<void> {
    await this.attempt(async (client) => {
      if (request.table === 'coil') await client.writeSingleCoil(request.address, request.on);
      else await client.writeMultipleRegisters(request.address, request.registers);
    });
  }

  private async attempt<T>(operation: (client: ModbusTCPClient) => Promise<T>): Promise<T> {
    let last: ModbusRequestError | undefined;
    for (let attempt = 0; attempt <= this.options.retries; attempt++) {
      try {
        return await operation(await this.connected());
      } catch (error) {
        last = asRequestError(error);
        if (last.code === 'modbusException') throw last;
        // A late answer to a request given up on would be taken for the next one's: start afresh.
        this.close();
      }
    }
    throw last as ModbusRequestError;
  }

  private connected(): Promise<ModbusTCPClient> {
    this.client ??= this.open().catch((error) => {
      this.close();
      throw error;
    });
    return this.client;
  }

  private open(): Promise<ModbusTCPClient> {
    const { host, port, unitId, timeoutMs } = this.options;
    const socket = new Socket();
    this.socket = socket;
    const client = new ModbusTCPClient(socket, unitId, timeoutMs);
    socket.on('close', () => {
      if (this.socket === socket) this.close();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new ModbusRequestError('timeout', `no connection to ${host}:${port} in time`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(client);
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(asRequestError(error));
      });
      socket.connect({ host, port });
    });
  }

  close(): void {
    this.socket?.destroy();
    this.socket = undefined;
    this.client = undefined;
  }
}

function bits(values: readonly (boolean | number)[], count: number): number[] {
  return values.slice(0, count).map((v) => (v ? 1 : 0));
}
