import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CommandHandler } from '../../../edge/commands.ts';
import type { CommandExecution, DeviceDriver } from '../../../shared/driver.ts';
import type { DeviceCommand, DeviceEvent, DeviceKind, Reading } from '../../../shared/kinds/index.ts';
import { type CommandReason, type CommandResult, commandResult } from '../../../shared/messages.ts';
import { COMMAND_ID, GATEWAY, TS, validReadings } from '../fixtures.ts';

const NOW = new Date(TS);
const log = pino({ level: 'silent' });
const LAMP = 'lamp-000001';
const CAMERA = 'cam-000003';

interface Call {
  deviceId: string;
  command: DeviceCommand['command'];
  now: Date;
}

/** A driver of `kind` owning `devices` that records its calls and runs `behaviour` for each. */
function fakeDriver(
  kind: DeviceKind,
  devices: string[],
  behaviour: () => Promise<CommandExecution> = async () => ({ status: 'succeeded' }),
) {
  const calls: Call[] = [];
  const driver: DeviceDriver = {
    kind,
    deviceCount: devices.length,
    has: (deviceId) => devices.includes(deviceId),
    poll: async () => ({ readings: [], events: [] }),
    execute: async (deviceId, command, now) => {
      calls.push({ deviceId, command, now });
      return behaviour();
    },
    health: () => ({ driver: 'fake', state: 'ok', errors: 0 }),
    close: async () => {},
  };
  return { driver, calls };
}

function setup(drivers: DeviceDriver[]) {
  const results: CommandResult[] = [];
  const queued: { readings: Reading[]; events: DeviceEvent[] }[] = [];
  const handler = new CommandHandler({
    gatewayId: GATEWAY,
    drivers: () => drivers,
    log,
    now: () => NOW,
    sendResult: (result) => results.push(result),
    queue: (readings, events) => queued.push({ readings, events }),
  });
  const handle = (message: unknown) =>
    handler.handle(Buffer.from(typeof message === 'string' ? message : JSON.stringify(message)));
  return { handler, handle, results, queued };
}

const dim = (extra: Record<string, unknown> = {}) => ({
  v: 1,
  commandId: COMMAND_ID,
  issuedAt: TS,
  target: { deviceId: LAMP, kind: 'streetlight', command: { action: 'setDimming', level: 50 } },
  ...extra,
});

const result = (status: CommandResult['status'], reason?: CommandReason): CommandResult => ({
  v: 1,
  gatewayId: GATEWAY,
  commandId: COMMAND_ID,
  ts: TS,
  status,
  ...(reason === undefined ? {} : { reason }),
});

describe('CommandHandler', () => {
  it('executes a valid command once on the driver of the device and sends the result', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const cameras = fakeDriver('camera', [CAMERA]);
    const { handle, results } = setup([cameras.driver, lamps.driver]);
    await handle(dim());
    expect(lamps.calls).toEqual([{ deviceId: LAMP, command: { action: 'setDimming', level: 50 }, now: NOW }]);
    expect(cameras.calls).toEqual([]);
    expect(results).toEqual([result('succeeded')]);
    expect(commandResult.safeParse(results[0]).success).toBe(true);
  });

  it('passes on the status and reason code the driver reports', async () => {
    const lamps = fakeDriver('streetlight', [LAMP], async () => ({
      status: 'failed',
      reason: 'deviceFault',
    }));
    const { handle, results } = setup([lamps.driver]);
    await handle(dim());
    expect(results).toEqual([result('failed', 'deviceFault')]);
  });

  it('answers a duplicate command id with the same result without executing again', async () => {
    const lamps = fakeDriver('streetlight', [LAMP], async () => ({
      status: 'succeeded',
      reason: 'deferred',
    }));
    const { handle, results, queued } = setup([lamps.driver]);
    await handle(dim());
    await handle(dim());
    await handle(dim({ target: { ...dim().target, command: { action: 'setDimming', level: 90 } } }));
    expect(lamps.calls).toHaveLength(1);
    expect(queued).toHaveLength(1);
    expect(results).toEqual([
      result('succeeded', 'deferred'),
      result('succeeded', 'deferred'),
      result('succeeded', 'deferred'),
    ]);
  });

  it('executes commands with different ids each', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results } = setup([lamps.driver]);
    const other = '7d1f4c2a-8e3b-4f6d-a5c9-1b2e3f4a5b6c';
    await handle(dim());
    await handle(dim({ commandId: other }));
    expect(lamps.calls).toHaveLength(2);
    expect(results.map((r) => r.commandId)).toEqual([COMMAND_ID, other]);
  });

  it('rejects an expired command with the reason expired, without executing it', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results } = setup([lamps.driver]);
    const expiresAt = new Date(NOW.getTime() - 1).toISOString();
    await handle(dim({ expiresAt }));
    expect(lamps.calls).toEqual([]);
    expect(results).toEqual([result('rejected', 'expired')]);
    expect(commandResult.safeParse(results[0]).success).toBe(true);
  });

  it('executes a command that expires now or later', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results } = setup([lamps.driver]);
    await handle(dim({ expiresAt: TS }));
    await handle(
      dim({ commandId: '7d1f4c2a-8e3b-4f6d-a5c9-1b2e3f4a5b6c', expiresAt: '2026-11-22T17:00:00+01:00' }),
    );
    expect(lamps.calls).toHaveLength(2);
    expect(results.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('rejects a command for a device that is not on this gateway', async () => {
    const lamps = fakeDriver('streetlight', ['lamp-000002']);
    const { handle, results } = setup([lamps.driver]);
    await handle(dim());
    expect(lamps.calls).toEqual([]);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ commandId: COMMAND_ID, status: 'rejected' });
    expect(results[0]?.reason).toBe('unknownDevice');
  });

  it('rejects a command whose kind does not match the driver that owns the device id', async () => {
    const cameras = fakeDriver('camera', [LAMP]);
    const { handle, results } = setup([cameras.driver]);
    await handle(dim());
    expect(cameras.calls).toEqual([]);
    expect(results.map((r) => r.status)).toEqual(['rejected']);
  });

  it('rejects an invalid command that has a uuid command id', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results } = setup([lamps.driver]);
    await handle(dim({ target: { ...dim().target, command: { action: 'setDimming', level: 150 } } }));
    expect(lamps.calls).toEqual([]);
    expect(results).toEqual([result('rejected', 'invalidCommand')]);
  });

  it.each([
    ['a command id that is not a uuid', dim({ commandId: 'cmd-1', v: 2 })],
    ['no command id', { v: 1, target: dim().target }],
    ['null', null],
    ['a number', 42],
    ['an array', [dim()]],
  ])('sends nothing for an invalid command with %s', async (_, message) => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results } = setup([lamps.driver]);
    await handle(message);
    expect(lamps.calls).toEqual([]);
    expect(results).toEqual([]);
  });

  it('ignores a command that repeats a key or is not UTF-8, rather than reading it as another command', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handler, handle, results } = setup([lamps.driver]);
    const text = JSON.stringify(dim());
    await handle(text.replace('"level":50', '"level":50,"level":100'));
    await handler.handle(Buffer.concat([Buffer.from(text.slice(0, -1)), Buffer.from([0xff, 0x7d])]));
    expect(lamps.calls).toEqual([]);
    expect(results).toEqual([]);
  });

  it.each(['not json', '{', ''])('sends nothing for %j, which is not JSON', async (payload) => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, results, queued } = setup([lamps.driver]);
    await handle(payload);
    expect(lamps.calls).toEqual([]);
    expect(results).toEqual([]);
    expect(queued).toEqual([]);
  });

  it('reports failed with the reason driverError, not the error message, when the driver throws', async () => {
    const lamps = fakeDriver('streetlight', [LAMP], async () => {
      throw new Error('DALI bus timeout');
    });
    const { handle, results, queued } = setup([lamps.driver]);
    await handle(dim());
    expect(results).toEqual([result('failed', 'driverError')]);
    expect(queued).toEqual([]);
  });

  it('sends no part of a driver error message to the cloud', async () => {
    const lamps = fakeDriver('streetlight', [LAMP], async () => {
      throw new Error(`line one\nline two\t${'x'.repeat(300)}`);
    });
    const { handle, results } = setup([lamps.driver]);
    await handle(dim());
    expect(results[0]?.status).toBe('failed');
    expect(JSON.stringify(results[0])).not.toContain('line one');
    expect(results[0]?.reason).toBe('driverError');
    expect(commandResult.safeParse(results[0]).success).toBe(true);
  });

  it('answers a command that failed the same way when it comes again', async () => {
    let attempts = 0;
    const lamps = fakeDriver('streetlight', [LAMP], async () => {
      attempts++;
      throw new Error('busy');
    });
    const { handle, results } = setup([lamps.driver]);
    await handle(dim());
    await handle(dim());
    expect(attempts).toBe(1);
    expect(results).toEqual([result('failed', 'driverError'), result('failed', 'driverError')]);
  });

  it('queues the readings and events the driver returns', async () => {
    const reading = {
      ...validReadings.streetlight,
      metrics: { ...validReadings.streetlight.metrics, dimmingLevel: 50 },
    };
    const event = { deviceId: LAMP, kind: 'streetlight', ts: TS, type: 'switchedOn' } as DeviceEvent;
    const lamps = fakeDriver('streetlight', [LAMP], async () => ({
      status: 'succeeded',
      readings: [reading as Reading],
      events: [event],
    }));
    const { handle, results, queued } = setup([lamps.driver]);
    await handle(dim());
    expect(queued).toEqual([{ readings: [reading], events: [event] }]);
    expect(results).toEqual([result('succeeded')]);
  });

  it('queues nothing new when the driver returns no readings or events', async () => {
    const lamps = fakeDriver('streetlight', [LAMP]);
    const { handle, queued } = setup([lamps.driver]);
    await handle(dim());
    expect(queued.flatMap((q) => [...q.readings, ...q.events])).toEqual([]);
  });
});

describe('CommandHandler logs', () => {
  it('logs an invalid command by its id when it is one, and never a value from it', async () => {
    const lines: string[] = [];
    const recording = pino({ level: 'trace' }, { write: (line: string) => void lines.push(line) });
    const handler = new CommandHandler({
      gatewayId: GATEWAY,
      drivers: () => [],
      log: recording,
      now: () => NOW,
      sendResult: () => undefined,
      queue: () => undefined,
    });
    const secret = 'AB:CD:EF:12:34:56';
    await handler.handle(Buffer.from(JSON.stringify(dim({ commandId: secret }))));
    await handler.handle(Buffer.from(JSON.stringify(dim({ [secret]: 1, issuedAt: secret }))));
    expect(lines).toHaveLength(2);
    expect(lines.join('\n')).not.toContain(secret);
    expect(JSON.parse(lines[0] as string).commandId).toBeUndefined();
    expect(JSON.parse(lines[1] as string)).toMatchObject({ commandId: COMMAND_ID });
    expect(JSON.parse(lines[1] as string).msg).toContain('1 unknown field');
  });
});
