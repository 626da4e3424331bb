import type { CommandExecution } from '../../../shared/driver.ts';
import { kinds, type MetricValue, type Reading } from '../../../shared/kinds/index.ts';
import type { Outcome } from '../health.ts';
import { type ModbusConnection, ModbusRequestError } from './connection.ts';
import { commandWrites, metricValue, readRequest } from './mapping.ts';
import type { ReadingRegister, RegisterMap } from './register-map.ts';

/** What one read of a device gave: its reading (when any value was good) and how it went. */
export interface DeviceRead {
  reading?: Reading;
  outcome: Outcome;
  /** The last problem, as a health code (`timeout`, `modbusException:2:100`, `invalidValue:100`). */
  code?: string;
}

const errorCode = (error: ModbusRequestError, address: number) =>
  error.code === 'modbusException' ? `modbusException:${error.exception ?? 0}:${address}` : error.code;

/**
 * One Modbus device of a model: reads each register of its map (one request each), turns the raw
 * values into metrics, checks each against the kind's schema, and writes the registers a command
 * maps to. A register the device refuses (a Modbus exception) or a value out of the kind's bounds
 * is left out and reported; the rest of the reading stands. A device that does not answer (after
 * the connection's retries) gives no reading.
 */
export class ModbusDevice {
  readonly deviceId: string;
  readonly map: RegisterMap;
  private readonly connection: ModbusConnection;

  constructor(deviceId: string, map: RegisterMap, connection: ModbusConnection) {
    this.deviceId = deviceId;
    this.map = map;
    this.connection = connection;
  }

  async read(now: Date): Promise<DeviceRead> {
    const metrics: Record<string, MetricValue> = {};
    let code: string | undefined;
    for (const register of this.map.readings) {
      try {
        const request = readRequest(register);
        const words = await this.connection.read(request);
        // A device that answers with fewer registers than asked sent no value for this one.
        const value =
          words.length === request.count
            ? this.valid(register, metricValue(register, words, this.map.wordOrder))
            : undefined;
        if (value === undefined) code = `invalidValue:${register.address}`;
        else metrics[register.metric] = value;
      } catch (error) {
        if (!(error instanceof ModbusRequestError)) throw error;
        code = errorCode(error, register.address);
        if (error.code !== 'modbusException') return { outcome: 'failed', code };
      }
    }
    const reading = kinds[this.map.kind].reading.safeParse({
      deviceId: this.deviceId,
      kind: this.map.kind,
      ts: now.toISOString(),
      metrics,
    });
    if (!reading.success) return { outcome: 'failed', code: code ?? 'invalidValue' };
    return { reading: reading.data as Reading, outcome: code ? 'partial' : 'ok', ...(code ? { code } : {}) };
  }

  /** The value when the kind's schema takes it for the metric (its bounds, its words). */
  private valid(register: ReadingRegister, value: MetricValue | undefined): MetricValue | undefined {
    if (value === undefined) return undefined;
    const shape = kinds[this.map.kind].metrics.shape as Record<
      string,
      { safeParse(v: unknown): { success: boolean } }
    >;
    return shape[register.metric]?.safeParse(value).success ? value : undefined;
  }

  /**
   * Writes the registers of the command's action, in the map's order. `unsupported` when the model
   * has none for it; a value that does not fit its register is an invalid command.
   */
  async execute(
    command: { action: string } & Record<string, unknown>,
  ): Promise<CommandExecution & { code?: string }> {
    const writes = commandWrites(this.map, command);
    if (writes === undefined) return { status: 'rejected', reason: 'unsupported' };
    if (writes === 'invalid') return { status: 'rejected', reason: 'invalidCommand' };
    for (const write of writes) {
      try {
        await this.connection.write(write);
      } catch (error) {
        if (!(error instanceof ModbusRequestError)) throw error;
        return { status: 'failed', reason: 'driverError', code: errorCode(error, write.address) };
      }
    }
    return { status: 'succeeded' };
  }

  close(): void {
    this.connection.close();
  }
}
