import { describe, expect, it } from 'vitest';
import { nasUl20xx, parseStatus, parseUsage } from '../../../../edge/drivers/chirpstack/codecs/nas-ul20xx.ts';

const bytes = (hex: string) => [...Buffer.from(hex.replace(/\s/g, ''), 'hex')];
const decode = (fPort: number, hex: string) =>
  nasUl20xx.decodeUplink({ bytes: bytes(hex), fPort, recvTime: new Date(), variables: {} });
const encode = (data: Record<string, unknown>) => nasUl20xx.encodeDownlink({ data, variables: {} });

/** Frames marked "from DS" (the data sheet's examples) in the vendor's codec tests. */
const statusFromDs = 'DFD41D5E 00 4B 04 15 02 AE 05050AFF32 030306FF00';
const status2 = '8044465e 05 4d 07 ff 02 db 02fafeff00';
const usageFromDs = '04 03 00000000 0000 06 03 15140000 0000';
const usageD4i = 'ff 83 01000000 0400 00000000 12 cf 1e000000 0000 00000000 0000 70de0600 11000000';

describe('NAS UL20xx frames', () => {
  it('reads the status example of the data sheet: two profiles at 50 % and 0 %, no DALI error', () => {
    expect(parseStatus(bytes(statusFromDs))).toEqual({
      daliErrorExternal: false,
      daliErrorConnection: false,
      levels: [50, 0],
    });
  });

  it('reads the status bits, and skips the THR byte and the LDR byte when they are sent', () => {
    expect(parseStatus(bytes(status2))).toMatchObject({ daliErrorExternal: true, levels: [0] });
    expect(parseStatus(bytes('00000000 02 4B 04 15 03 11 22 01FAFEFF64'))).toEqual({
      daliErrorExternal: false,
      daliErrorConnection: true,
      levels: [100],
    });
    expect(parseStatus(bytes('00000000 00 4B 04 15 00')).levels).toEqual([]);
    expect(() => parseStatus(bytes('00000000 00 4B 04 15 00 01FAFE'))).toThrow(
      'profiles take 5 bytes each; 3 bytes are left',
    );
  });

  it('reads usage reports: energy, power, power factor, voltage and lamp-on time as the field bits say', () => {
    expect(parseUsage(bytes(usageFromDs))).toEqual([
      { address: 4, energyWh: 0, powerW: 0 },
      { address: 6, energyWh: 5141, powerW: 0 },
    ]);
    expect(parseUsage(bytes(usageD4i))).toEqual([
      { address: 0xff, energyWh: 1, powerW: 4, lampOnHours: 0 },
      { address: 0x12, energyWh: 30, powerW: 0, lampOnHours: 17 / 3600 },
    ]);
    expect(parseUsage(bytes('ff 30 5f e6'))).toEqual([{ address: 0xff, powerFactor: 0.95, voltageV: 230 }]);
    expect(parseUsage(bytes('ff 80 0a000000'))).toEqual([{ address: 0xff, lampOnHours: 10 }]);
  });
});

describe('the UL20xx codec', () => {
  it('decodes a status into the dimming level of the first profile and its power state', () => {
    expect(decode(24, statusFromDs)).toEqual({
      data: { metrics: { dimmingLevel: 50, powerState: 'low', status: 'ok' } },
    });
    expect(decode(24, '00000000 00 4B 04 15 00 01FAFEFF64')).toEqual({
      data: { metrics: { dimmingLevel: 100, powerState: 'on', status: 'ok' } },
    });
  });

  it('gives no status while the DALI side reports an error, only a warning saying which', () => {
    expect(decode(24, status2)).toEqual({
      data: { metrics: { dimmingLevel: 0, powerState: 'off' } },
      warnings: ['the DALI driver reports an error'],
    });
    expect(decode(24, '00000000 02 4B 04 15 00')).toEqual({
      data: { metrics: {} },
      warnings: ['the DALI driver does not answer'],
    });
  });

  it("decodes usage from the controller's own measurement, else from the first report", () => {
    expect(decode(25, usageD4i)).toEqual({
      data: { metrics: { energyConsumed: 0.001, activePower: 4, operatingHours: 0 } },
    });
    expect(decode(25, 'ff03ed0000000000')).toEqual({
      data: { metrics: { energyConsumed: 0.237, activePower: 0 } },
    });
    expect(decode(25, usageFromDs)).toEqual({ data: { metrics: { energyConsumed: 0, activePower: 0 } } });
    expect(decode(25, 'ff 30 5f e6')).toEqual({ data: { metrics: { powerFactor: 0.95, voltage: 230 } } });
    expect(decode(25, 'ff 00')).toEqual({ data: {} });
  });

  it('decodes a DALI driver alert with a lamp failure (the data sheet example) as a lamp fault', () => {
    const fault = { data: { metrics: { status: 'defectiveLamp' }, events: [{ type: 'lampFault' }] } };
    expect(decode(61, '83200202')).toEqual(fault);
    expect(decode(61, '83200201')).toEqual(fault);
    expect(decode(61, '83200404 0204')).toEqual({ data: {} });
  });

  it("decodes a metering alert's power, voltage and power factor, a lamp error as a lamp fault", () => {
    expect(decode(61, '84025900e50056')).toEqual({
      data: { metrics: { activePower: 89, voltage: 229, powerFactor: 0.86 } },
    });
    expect(decode(61, '84010000e50000')).toEqual({
      data: {
        metrics: { activePower: 0, voltage: 229, powerFactor: 0, status: 'defectiveLamp' },
        events: [{ type: 'lampFault' }],
      },
    });
    expect(decode(61, '80200600')).toEqual({ data: {} });
  });

  it('decodes the answer to a dimming command, and a refused downlink as a warning', () => {
    expect(decode(60, '01fe28')).toEqual({ data: { metrics: { dimmingLevel: 40, powerState: 'low' } } });
    expect(decode(60, '01feff')).toEqual({ data: {} });
    expect(decode(99, '13320a')).toEqual({
      data: {},
      warnings: ['the device refused a downlink on fPort 50 (code 10)'],
    });
    expect(decode(99, '000D008350010101F37F205E000CFE0104')).toEqual({ data: {} });
  });

  it('refuses other ports, empty frames and frames that end early', () => {
    expect(decode(10, '00')).toEqual({ errors: ['fPort 10 is not an uplink port of the UL20xx'] });
    expect(decode(24, '')).toEqual({ errors: ['empty frame'] });
    expect(decode(24, 'DFD41D5E00')).toEqual({ errors: ['frame ends at byte 5, a field is missing'] });
    expect(decode(61, '8402590000')).toEqual({ errors: ['frame ends at byte 5, a field is missing'] });
  });

  it('encodes our commands as manual dimming of the broadcast address on fPort 60 (01 fe 64 in the data sheet)', () => {
    expect(encode({ action: 'switch', on: true })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 0x64] });
    expect(encode({ action: 'switch', on: false })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 0] });
    expect(encode({ action: 'setDimming', level: 40 })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 40] });
    expect(encode({ action: 'setDimming', level: 37.6 })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 38] });
    expect(encode({ action: 'setDimming', level: 0 })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 0] });
    expect(encode({ action: 'setDimming', level: 100 })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 100] });
    expect(encode({ action: 'returnToSchedule' })).toEqual({ fPort: 60, bytes: [0x01, 0xfe, 0xff] });
  });

  it('encodes nothing it cannot: other actions and values out of range', () => {
    expect(encode({ action: 'reboot' })).toEqual({ errors: ['the UL20xx has no downlink for reboot'] });
    expect(encode({ action: 'setDimming', level: 101 })).toEqual({
      errors: ['the UL20xx has no downlink for setDimming'],
    });
    expect(encode({ action: 'setDimming', level: -1 })).toEqual({
      errors: ['the UL20xx has no downlink for setDimming'],
    });
    expect(encode({ action: 'switch' })).toEqual({ errors: ['the UL20xx has no downlink for switch'] });
  });
});
