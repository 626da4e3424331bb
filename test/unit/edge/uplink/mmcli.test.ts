import { pino } from 'pino';
import { describe, expect, it } from 'vitest';

const silentLogger = () => pino({ level: 'silent' });

import { EdgeConfigError } from '../../../../edge/config.ts';
import { mmcliSettings, mmcliUplink, mmcliUplinkFactory } from '../../../../edge/uplink/mmcli.ts';
import { parseSignal } from '../../../../edge/uplink/mmcli-signal.ts';
import { uplinkSource } from '../../../../edge/uplink/sources.ts';

/** What ModemManager 1.22 prints for `mmcli -m any --signal-get -J` (figures are strings, "--" = none). */
function answer(lte: Record<string, string>, nr?: Record<string, string>) {
  const none = { rsrp: '--', rsrq: '--', snr: '--', 'error-rate': '--' };
  return JSON.stringify({
    modem: {
      signal: {
        refresh: { rate: '10' },
        threshold: { rssi: '0', 'error-rate': 'no' },
        cdma1x: { ecio: '--', rssi: '--', 'error-rate': '--' },
        gsm: { rssi: '--', 'error-rate': '--' },
        umts: { ecio: '--', rscp: '--', rssi: '--', 'error-rate': '--' },
        lte: { rsrp: '--', rsrq: '--', rssi: '--', snr: '--', 'error-rate': '--', ...lte },
        '5g': { ...none, ...nr },
      },
    },
  });
}

describe('parseSignal (mmcli --signal-get -J)', () => {
  it('reads LTE figures', () => {
    expect(parseSignal(answer({ rsrp: '-95.00', rsrq: '-11.50', rssi: '-65.00', snr: '12.40' }))).toEqual({
      uplink: { technology: 'lte', rsrp: -95, rsrq: -11.5, sinr: 12.4 },
    });
  });

  it('prefers the 5G NR leg when the modem measures both (non-standalone)', () => {
    const parsed = parseSignal(
      answer(
        { rsrp: '-95.00', rsrq: '-11.00', snr: '12.00' },
        { rsrp: '-88.00', rsrq: '-10.00', snr: '18.50' },
      ),
    );
    expect(parsed.uplink).toEqual({ technology: 'nr', rsrp: -88, rsrq: -10, sinr: 18.5 });
  });

  it('falls back to LTE when NR lacks a figure, and leaves out an RSRQ it does not have', () => {
    const parsed = parseSignal(answer({ rsrp: '-101.00', snr: '-2.00' }, { rsrp: '-90.00' }));
    expect(parsed.uplink).toEqual({ technology: 'lte', rsrp: -101, sinr: -2 });
  });

  it('takes the bounds of 3GPP: the edges in, just beyond them out', () => {
    expect(parseSignal(answer({ rsrp: '-156.00', snr: '-30.00' })).uplink).toMatchObject({
      rsrp: -156,
      sinr: -30,
    });
    expect(parseSignal(answer({ rsrp: '-31.00', snr: '50.00' })).uplink).toMatchObject({
      rsrp: -31,
      sinr: 50,
    });
    expect(parseSignal(answer({ rsrp: '-156.10', snr: '0' }))).toEqual({
      uplink: undefined,
      reason: 'lte figures out of range: rsrp',
    });
    expect(parseSignal(answer({ rsrp: '-90', snr: '50.01' }))).toMatchObject({ uplink: undefined });
  });

  it('yields no uplink, with a reason, for garbage', () => {
    const cases: [string, string][] = [
      ['', 'not JSON'],
      ['error: no modems were found', 'not JSON'],
      ['{"modem":', 'not JSON'],
      ['null', 'no modem.signal object'],
      ['[]', 'no modem.signal object'],
      ['{"modem":{"signal":"yes"}}', 'no modem.signal object'],
      ['{"modem":{"signal":{"lte":{"rsrp":-95,"snr":10}}}}', 'no modem.signal object'],
      [answer({}), 'no LTE or 5G figures with RSRP and SINR'],
      [answer({ rsrp: 'NaN', snr: 'Infinity' }), 'no LTE or 5G figures with RSRP and SINR'],
      [answer({ rsrp: '-95.00', snr: '1e3' }), 'no LTE or 5G figures with RSRP and SINR'],
      [answer({ rsrp: '-95.00 dBm', snr: '10' }), 'no LTE or 5G figures with RSRP and SINR'],
    ];
    for (const [output, reason] of cases)
      expect(parseSignal(output), output).toEqual({ uplink: undefined, reason });
  });

  it('never lets a field beyond the radio figures through (no cell ids, no operator names)', () => {
    const parsed = parseSignal(
      answer({ rsrp: '-95.00', snr: '10.00', 'cell-id': '0x1234', 'operator-name': 'Someone' } as Record<
        string,
        string
      >),
    );
    expect(Object.keys(parsed.uplink ?? {}).sort()).toEqual(['rsrp', 'sinr', 'technology']);
  });
});

describe('mmcliUplink', () => {
  const settings = mmcliSettings.parse({ timeoutS: 2 });

  it('runs mmcli for the configured modem with the configured deadline', async () => {
    const calls: unknown[] = [];
    const source = mmcliUplink(settings, async (command, args, timeoutMs) => {
      calls.push({ command, args, timeoutMs });
      return answer({ rsrp: '-99.00', snr: '7.00' });
    });
    expect(await source.read(new Date())).toEqual({ technology: 'lte', rsrp: -99, sinr: 7 });
    expect(calls).toEqual([
      { command: 'mmcli', args: ['-m', 'any', '--signal-get', '-J'], timeoutMs: 2_000 },
    ]);
  });

  it('yields no uplink when mmcli fails or times out, or answers garbage', async () => {
    const failing = mmcliUplink(settings, () => Promise.reject(new Error('killed: SIGTERM')), silentLogger());
    expect(await failing.read(new Date())).toBeUndefined();
    const garbage = mmcliUplink(settings, async () => 'error: couldn’t find modem', silentLogger());
    expect(await garbage.read(new Date())).toBeUndefined();
  });

  it('gives up on a real command that takes longer than its deadline', async () => {
    const slow = mmcliUplinkFactory.create(mmcliSettings.parse({ command: 'sleep', timeoutS: 0.1 }), {
      gatewayId: 'gw-1',
      log: silentLogger(),
    });
    // `sleep -m any --signal-get -J` fails at once; the point is that a real child process is awaited
    // and its failure is no uplink, not an exception.
    expect(await slow.read(new Date())).toBeUndefined();
  });
});

describe('uplinkSource (the configuration entry)', () => {
  const context = { gatewayId: 'gw-1', log: silentLogger() };

  it('is none without an entry', () => {
    expect(uplinkSource(undefined, { mmcli: mmcliUplinkFactory }, context)).toBeUndefined();
  });

  it('refuses an unknown type or bad settings, naming the fields', () => {
    expect(() => uplinkSource({ type: 'snmp' }, { mmcli: mmcliUplinkFactory }, context)).toThrow(
      /uplink \(snmp\): this agent has no uplink source of that type \(it has: mmcli\)/,
    );
    try {
      uplinkSource({ type: 'mmcli', modem: '/dev/ttyUSB0' }, { mmcli: mmcliUplinkFactory }, context);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(EdgeConfigError);
      expect((error as EdgeConfigError).fields).toEqual(['uplink.modem']);
    }
  });
});
