/**
 * Modbus values: what a run of 16-bit registers means, and the registers a value is written as. Pure
 * functions. A register's two bytes are big-endian (Modbus application protocol, 4.2); a value of
 * two registers comes high word first unless its map says `low-first` (devices differ).
 */

export const registerTypes = ['u16', 'i16', 'u32', 'i32', 'f32'] as const;
export type RegisterType = (typeof registerTypes)[number];
export type WordOrder = 'high-first' | 'low-first';

/** How many registers a value of `type` takes. */
export function registerCount(type: RegisterType): 1 | 2 {
  return type === 'u16' || type === 'i16' ? 1 : 2;
}

/** The big-endian bytes of `registers`, high word first. */
function bytesOf(registers: readonly number[], order: WordOrder): Buffer {
  const words = order === 'low-first' ? [...registers].reverse() : registers;
  const bytes = Buffer.alloc(words.length * 2);
  words.forEach((word, i) => {
    bytes.writeUInt16BE(word, i * 2);
  });
  return bytes;
}

/** The value `registers` hold as `type`. */
export function decodeRegisters(registers: readonly number[], type: RegisterType, order: WordOrder): number {
  if (registers.length !== registerCount(type))
    throw new RangeError(`a ${type} takes ${registerCount(type)} registers, got ${registers.length}`);
  const bytes = bytesOf(registers, order);
  switch (type) {
    case 'u16':
      return bytes.readUInt16BE(0);
    case 'i16':
      return bytes.readInt16BE(0);
    case 'u32':
      return bytes.readUInt32BE(0);
    case 'i32':
      return bytes.readInt32BE(0);
    case 'f32':
      return bytes.readFloatBE(0);
  }
}

const integerRange: Record<Exclude<RegisterType, 'f32'>, [number, number]> = {
  u16: [0, 0xffff],
  i16: [-0x8000, 0x7fff],
  u32: [0, 0xffffffff],
  i32: [-0x80000000, 0x7fffffff],
};

/**
 * The registers that hold `value` as `type` (integers rounded to the nearest); undefined when it
 * does not fit the type.
 */
export function encodeRegisters(value: number, type: RegisterType, order: WordOrder): number[] | undefined {
  if (!Number.isFinite(value)) return undefined;
  const bytes = Buffer.alloc(registerCount(type) * 2);
  if (type === 'f32') {
    if (Math.abs(value) > 3.4028234663852886e38) return undefined;
    bytes.writeFloatBE(value, 0);
  } else {
    const integer = Math.round(value);
    const [min, max] = integerRange[type];
    if (integer < min || integer > max) return undefined;
    if (type === 'u16') bytes.writeUInt16BE(integer, 0);
    else if (type === 'i16') bytes.writeInt16BE(integer, 0);
    else if (type === 'u32') bytes.writeUInt32BE(integer, 0);
    else bytes.writeInt32BE(integer, 0);
  }
  const words = Array.from({ length: bytes.length / 2 }, (_, i) => bytes.readUInt16BE(i * 2));
  return order === 'low-first' ? words.reverse() : words;
}

/** `width` bits of an integer from bit `shift` up (bit 0 the least significant). */
export function bitField(raw: number, shift: number, width: number): number {
  return Math.floor(raw / 2 ** shift) % 2 ** width;
}

/** A raw number as the quantity it stands for: `raw × scale + offset`, without float noise. */
export function scaled(raw: number, scale: number, offset: number): number {
  return Number((raw * scale + offset).toPrecision(12));
}

/** The raw number to write for a quantity: the inverse of `scaled`. */
export function unscaled(value: number, scale: number, offset: number): number {
  return (value - offset) / scale;
}
