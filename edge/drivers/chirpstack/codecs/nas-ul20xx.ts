import type { Codec, DecodeResult, EncodeResult } from '../codec.ts';

/**
 * NAS (Nordic Automation Systems) UL20xx LoRaWAN luminaire controllers (UL2002, UL2014, UL2020,
 * UL2021, UL2030: Zhaga/NEMA nodes driving a DALI lamp driver), written from the vendor's payload
 * description for firmware 1.0.x/1.1.x, published with its codecs (nasys/nas-codecs; the frames
 * marked "from DS" in its tests are the data sheet's examples). Everything is little-endian.
 *
 * Uplinks used here:
 *   fPort 24  status: epoch u32, status bits, downlink RSSI, SNR, MCU temperature, interface bits
 *             (bit 0: a THR byte follows, bit 1: an LDR byte follows), then per active dimming
 *             profile 5 bytes: id, version, DALI address, active days, current dimming level (%)
 *   fPort 25  usage: per measured address, address, field bits, then the fields present: bit 0
 *             energy u32 Wh, 1 power u16 W, 2 load-side energy u32, 3 load-side power u16, 4 power
 *             factor u8 (/100), 5 mains voltage u8 V, 6 driver operating time u32 s, 7 lamp-on time u32
 *             (hours for the internal measurement, address 0xff; seconds for a DALI driver)
 *   fPort 60  the answer to a manual dimming command: 0x01, then (address, level) pairs
 *   fPort 61  alerts: 0x83 DALI driver alert, (address, status bits: 0 control gear failure,
 *             1 lamp failure) pairs after a length byte; 0x84 metering alert, condition bits
 *             (0 lamp error), power u16 W, voltage u16 V, power factor u8 (/100)
 *   fPort 99  system: 0x00 boot, 0x13 a downlink the device refused
 * Downlink: fPort 60, manual dimming `01 <address> <level>`, address 0xfe = broadcast, level 0-100,
 * 0xff = resume the dimming profile.
 */

const broadcast = 0xfe;
const resume = 0xff;
const internalMeasurement = 0xff;

class Reader {
  private readonly bytes: readonly number[];
  private offset = 0;
  constructor(bytes: readonly number[]) {
    this.bytes = bytes;
  }
  get left(): number {
    return this.bytes.length - this.offset;
  }
  u8(): number {
    if (this.left < 1) throw new Error(`frame ends at byte ${this.offset}, a field is missing`);
    return this.bytes[this.offset++] as number;
  }
  i8(): number {
    const value = this.u8();
    return value > 0x7f ? value - 0x100 : value;
  }
  u16(): number {
    return this.u8() | (this.u8() << 8);
  }
  u32(): number {
    return (this.u16() + this.u16() * 0x10000) >>> 0;
  }
}

/** FIWARE Streetlight.powerState of a dimming level. */
function powerState(level: number): string {
  return level === 0 ? 'off' : level === 100 ? 'on' : 'low';
}

export interface Ul20xxStatus {
  daliErrorExternal: boolean;
  daliErrorConnection: boolean;
  /** Current dimming level of each active profile, in the order sent. */
  levels: number[];
}

export function parseStatus(bytes: readonly number[]): Ul20xxStatus {
  const r = new Reader(bytes);
  r.u32(); // the device's clock
  const status = r.u8();
  r.u8(); // downlink RSSI
  r.i8(); // downlink SNR
  r.i8(); // MCU temperature
  const interfaces = r.u8();
  if (interfaces & 0x01) r.u8(); // THR value
  if (interfaces & 0x02) r.u8(); // LDR value
  if (r.left % 5 !== 0) throw new Error(`profiles take 5 bytes each; ${r.left} bytes are left`);
  const levels: number[] = [];
  while (r.left > 0) {
    r.u8(); // profile id
    r.u8(); // profile version or override reason
    r.u8(); // DALI address
    r.u8(); // active days
    levels.push(r.u8());
  }
  return { daliErrorExternal: (status & 0x01) !== 0, daliErrorConnection: (status & 0x02) !== 0, levels };
}

export interface Ul20xxUsage {
  address: number;
  energyWh?: number;
  powerW?: number;
  powerFactor?: number;
  voltageV?: number;
  lampOnHours?: number;
}

export function parseUsage(bytes: readonly number[]): Ul20xxUsage[] {
  const r = new Reader(bytes);
  const reports: Ul20xxUsage[] = [];
  while (r.left > 0) {
    const address = r.u8();
    const fields = r.u8();
    const report: Ul20xxUsage = { address };
    if (fields & 0x01) report.energyWh = r.u32();
    if (fields & 0x02) report.powerW = r.u16();
    if (fields & 0x04) r.u32(); // load-side energy
    if (fields & 0x08) r.u16(); // load-side power
    if (fields & 0x10) report.powerFactor = r.u8() / 100;
    if (fields & 0x20) report.voltageV = r.u8();
    if (fields & 0x40) r.u32(); // driver operating time
    if (fields & 0x80) {
      const onTime = r.u32();
      report.lampOnHours = address === internalMeasurement ? onTime : onTime / 3600;
    }
    reports.push(report);
  }
  return reports;
}

function decodeStatus(bytes: readonly number[]): DecodeResult {
  const { daliErrorExternal, daliErrorConnection, levels } = parseStatus(bytes);
  const metrics: Record<string, unknown> = {};
  const level = levels[0];
  if (level !== undefined) Object.assign(metrics, { dimmingLevel: level, powerState: powerState(level) });
  // The status bits say that the DALI side has a problem, not which: only their absence is a status.
  if (!daliErrorExternal && !daliErrorConnection) metrics.status = 'ok';
  const warnings = [
    ...(daliErrorExternal ? ['the DALI driver reports an error'] : []),
    ...(daliErrorConnection ? ['the DALI driver does not answer'] : []),
  ];
  return { data: { metrics }, ...(warnings.length > 0 ? { warnings } : {}) };
}

function decodeUsage(bytes: readonly number[]): DecodeResult {
  const reports = parseUsage(bytes);
  const report = reports.find((u) => u.address === internalMeasurement) ?? reports[0];
  const metrics: Record<string, unknown> = {};
  if (report?.energyWh !== undefined) metrics.energyConsumed = report.energyWh / 1000;
  if (report?.powerW !== undefined) metrics.activePower = report.powerW;
  if (report?.powerFactor !== undefined) metrics.powerFactor = report.powerFactor;
  if (report?.voltageV !== undefined) metrics.voltage = report.voltageV;
  if (report?.lampOnHours !== undefined) metrics.operatingHours = report.lampOnHours;
  return { data: Object.keys(metrics).length > 0 ? { metrics } : {} };
}

function decodeDimmingAnswer(bytes: readonly number[]): DecodeResult {
  const r = new Reader(bytes);
  if (r.u8() !== 0x01) return { data: {}, warnings: ['an answer to a command this codec does not send'] };
  r.u8(); // address
  const level = r.u8();
  if (level === resume) return { data: {} };
  return { data: { metrics: { dimmingLevel: level, powerState: powerState(level) } } };
}

function decodeAlert(bytes: readonly number[]): DecodeResult {
  const r = new Reader(bytes);
  const header = r.u8();
  const second = r.u8();
  const lampFault = { data: { metrics: { status: 'defectiveLamp' }, events: [{ type: 'lampFault' }] } };
  if (header === 0x83) {
    let failed = false;
    while (r.left > 0) {
      r.u8(); // DALI address
      if (r.u8() & 0x03) failed = true; // control gear failure, lamp failure
    }
    return failed ? lampFault : { data: {} };
  }
  if (header === 0x84) {
    const metrics = { activePower: r.u16(), voltage: r.u16(), powerFactor: r.u8() / 100 };
    if (!(second & 0x01)) return { data: { metrics } };
    return { data: { metrics: { ...metrics, ...lampFault.data.metrics }, events: lampFault.data.events } };
  }
  // 0x80 digital input and 0x81 light sensor alerts carry nothing a street light reports.
  return { data: {} };
}

function decodeSystem(bytes: readonly number[]): DecodeResult {
  const r = new Reader(bytes);
  const header = r.u8();
  if (header === 0x13) {
    const port = r.u8();
    return { data: {}, warnings: [`the device refused a downlink on fPort ${port} (code ${r.u8()})`] };
  }
  return { data: {} };
}

const uplinks: Record<number, (bytes: readonly number[]) => DecodeResult> = {
  24: decodeStatus,
  25: decodeUsage,
  60: decodeDimmingAnswer,
  61: decodeAlert,
  99: decodeSystem,
};

/** The dimming level a command sets: on is 100 %, off 0 %, back to the schedule is "resume". */
function dimmingLevelOf(data: Record<string, unknown>): number | undefined {
  switch (data.action) {
    case 'switch':
      return data.on === true ? 100 : data.on === false ? 0 : undefined;
    case 'setDimming':
      return typeof data.level === 'number' && data.level >= 0 && data.level <= 100
        ? Math.round(data.level)
        : undefined;
    case 'returnToSchedule':
      return resume;
    default:
      return undefined;
  }
}

export const nasUl20xx: Codec = {
  decodeUplink({ bytes, fPort }): DecodeResult {
    const decode = uplinks[fPort];
    if (!decode) return { errors: [`fPort ${fPort} is not an uplink port of the UL20xx`] };
    if (bytes.length === 0) return { errors: ['empty frame'] };
    try {
      return decode(bytes);
    } catch (error) {
      return { errors: [(error as Error).message] };
    }
  },

  encodeDownlink({ data }): EncodeResult {
    const level = dimmingLevelOf(data);
    if (level === undefined) return { errors: [`the UL20xx has no downlink for ${String(data.action)}`] };
    return { fPort: 60, bytes: [0x01, broadcast, level] };
  },
};
