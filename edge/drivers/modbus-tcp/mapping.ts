import type { MetricValue } from '../../../shared/kinds/index.ts';
import type { ReadingRegister, RegisterMap, RegisterWrite } from './register-map.ts';
import {
  bitField,
  decodeRegisters,
  encodeRegisters,
  type RegisterType,
  registerCount,
  scaled,
  unscaled,
  type WordOrder,
} from './values.ts';

/** What one read asks the device for: a table, an address and how many registers or bits. */
export interface ReadRequest {
  table: ReadingRegister['table'];
  address: number;
  count: number;
}

/** A coil or a discrete input has no type (the map is checked so): one bit, like one u16. */
export function readRequest(r: ReadingRegister): ReadRequest {
  return { table: r.table, address: r.address, count: registerCount(r.type ?? 'u16') };
}

/**
 * The metric value a register's words (or a bit, as [0] or [1]) stand for, before the kind's
 * schema checks it; undefined when a raw value has no word in the map.
 */
export function metricValue(
  r: ReadingRegister,
  words: readonly number[],
  order: WordOrder,
): MetricValue | undefined {
  let raw = decodeRegisters(words, r.type ?? 'u16', r.wordOrder ?? order);
  if (r.bits) raw = bitField(raw, r.bits.shift, r.bits.width);
  if (r.values || r.otherwise !== undefined) return r.values?.[String(raw)] ?? r.otherwise;
  // A number metric has a unit (the map is checked so); a boolean one is any non-zero value.
  if (r.unit === undefined) return raw !== 0;
  return scaled(raw, r.scale, r.offset);
}

/** What one write puts in the device: registers (holding) or a bit (coil). */
export type WriteRequest =
  | { table: 'holding'; address: number; registers: number[] }
  | { table: 'coil'; address: number; on: boolean };

/**
 * The writes a command makes on a device of `map`: undefined when the model has no registers for
 * its action, `invalid` when a value does not fit its register.
 */
export function commandWrites(
  map: RegisterMap,
  command: { action: string } & Record<string, unknown>,
): WriteRequest[] | 'invalid' | undefined {
  const writes = map.commands[command.action];
  if (!writes) return undefined;
  const requests: WriteRequest[] = [];
  for (const w of writes) {
    const raw = rawValue(w, command);
    if (raw === undefined) return 'invalid';
    if (w.table === 'coil') {
      requests.push({ table: 'coil', address: w.address, on: raw !== 0 });
      continue;
    }
    const type: RegisterType = w.type ?? 'u16';
    const registers = encodeRegisters(raw, type, w.wordOrder ?? map.wordOrder);
    if (!registers) return 'invalid';
    requests.push({ table: 'holding', address: w.address, registers });
  }
  return requests;
}

function rawValue(w: RegisterWrite, command: Record<string, unknown>): number | undefined {
  if (w.value !== undefined) return w.value;
  const field = command[w.from as string];
  if (w.values) return w.values[String(field)];
  if (typeof field === 'boolean') return field ? 1 : 0;
  if (typeof field === 'number') return unscaled(field, w.scale, w.offset);
  return undefined;
}
