import { type Codec, type DecodeResult, numberVariable } from '../codec.ts';

/**
 * Milesight EM310-UDL, an ultrasonic distance sensor sold for waste-bin fill levels, written from
 * Milesight's payload definition (Milesight-IoT/SensorDecoders, `em-series/em310-udl/README.md`):
 * an uplink is a run of channels `id (1 B) | type (1 B) | data`, little-endian:
 *
 *   01 75  battery, 1 B, %            03 82  distance, 2 B, mm        04 00  position, 1 B (0 normal, 1 tilt)
 *   ff 01 / ff 0f / ff fe / ff 0b  1 B      ff 09 / ff 0a / ff ff  2 B      ff 16  serial number, 8 B
 *
 * and the answers to its downlinks: ff 10 (1 B), ff 02 / ff 03 (2 B), ff 06 (9 B). Its documented
 * example: `01755C 03824408 040001` = battery 92 %, distance 2116 mm, position tilt.
 */
export interface Em310Frame {
  battery?: number;
  distanceMm?: number;
  position?: 'normal' | 'tilt';
}

/** Data lengths of the channels that carry nothing we map (device information, downlink answers). */
const skipped: ReadonlyMap<number, number> = new Map([
  [0xff01, 1],
  [0xff0f, 1],
  [0xfffe, 1],
  [0xff0b, 1],
  [0xff09, 2],
  [0xff0a, 2],
  [0xffff, 2],
  [0xff16, 8],
  [0xff10, 1],
  [0xff02, 2],
  [0xff03, 2],
  [0xff06, 9],
]);

const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`;

/** Parses a frame into its readings; a truncated channel or an unknown one is an error. */
export function parseEm310Frame(bytes: readonly number[]): { frame: Em310Frame; errors: string[] } {
  const frame: Em310Frame = {};
  let i = 0;
  const need = (n: number, what: string) => {
    if (i + n > bytes.length)
      throw new Error(`${what} at byte ${i} needs ${n} bytes, ${bytes.length - i} left`);
  };
  try {
    while (i < bytes.length) {
      need(2, 'channel header');
      const id = bytes[i] as number;
      const type = bytes[i + 1] as number;
      i += 2;
      const channel = (id << 8) | type;
      if (channel === 0x0175) {
        need(1, 'battery');
        frame.battery = bytes[i++] as number;
      } else if (channel === 0x0382) {
        need(2, 'distance');
        frame.distanceMm = (bytes[i] as number) | ((bytes[i + 1] as number) << 8);
        i += 2;
      } else if (channel === 0x0400) {
        need(1, 'position');
        const position = bytes[i++] as number;
        if (position > 1) throw new Error(`position ${position} is neither 0 (normal) nor 1 (tilt)`);
        frame.position = position === 1 ? 'tilt' : 'normal';
      } else {
        const length = skipped.get(channel);
        if (length === undefined) throw new Error(`unknown channel ${hex(id)} ${hex(type)} at byte ${i - 2}`);
        need(length, `channel ${hex(id)} ${hex(type)}`);
        i += length;
      }
    }
  } catch (error) {
    return { frame, errors: [(error as Error).message] };
  }
  return { frame, errors: [] };
}

/**
 * The filling level (%) from the distance the sensor measures down to the waste: 0 at
 * `emptyDistanceMm` (the bottom of the empty bin), 100 at `fullDistanceMm` (default 0, the sensor
 * itself), clamped to 0-100 and rounded to 0.1.
 */
export function fillingLevel(distanceMm: number, emptyDistanceMm: number, fullDistanceMm: number): number {
  const level = ((emptyDistanceMm - distanceMm) / (emptyDistanceMm - fullDistanceMm)) * 100;
  return Math.round(Math.min(100, Math.max(0, level)) * 10) / 10;
}

/**
 * The codec: battery becomes `batteryLevel`; distance becomes `fillingLevel` given the device's
 * variables `emptyDistanceMm` (and optionally `fullDistanceMm`); a tilted sensor raises `tilted` and
 * its distance is not read as a fill (it no longer points at the waste). The EM310-UDL's downlinks
 * (reboot, intervals, distance alarm) include no request for a reading, so it encodes no command.
 */
export const milesightEm310Udl: Codec = {
  decodeUplink({ bytes, variables }): DecodeResult {
    const { frame, errors } = parseEm310Frame(bytes);
    if (errors.length > 0) return { errors };
    const metrics: Record<string, unknown> = {};
    const warnings: string[] = [];
    if (frame.battery !== undefined) metrics.batteryLevel = frame.battery;
    if (frame.distanceMm !== undefined && frame.position === 'tilt') {
      warnings.push('the sensor is tilted: its distance is not a filling level');
    } else if (frame.distanceMm !== undefined) {
      let empty: number | undefined;
      let full: number;
      try {
        empty = numberVariable(variables, 'emptyDistanceMm');
        full = numberVariable(variables, 'fullDistanceMm') ?? 0;
      } catch (error) {
        return { errors: [(error as Error).message] };
      }
      if (empty === undefined) warnings.push('variable emptyDistanceMm is not set: no filling level');
      else if (empty <= full) return { errors: ['variable emptyDistanceMm must exceed fullDistanceMm'] };
      else metrics.fillingLevel = fillingLevel(frame.distanceMm, empty, full);
    }
    const events = frame.position === 'tilt' ? [{ type: 'tilted' }] : [];
    return {
      data: {
        ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
        ...(events.length > 0 ? { events } : {}),
      },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  },

  encodeDownlink({ data }) {
    return { errors: [`the EM310-UDL has no downlink for ${String(data.action)}`] };
  },
};
