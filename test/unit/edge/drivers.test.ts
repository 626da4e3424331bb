import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { composeAgent } from '../../../edge/compose.ts';
import { agentConfig, EdgeConfigError } from '../../../edge/config.ts';
import { DriverRegistry } from '../../../edge/drivers/registry.ts';
import type { DriverContext, DriverFactory } from '../../../shared/driver.ts';
import { simulatedDriverFactory } from '../../../simulators/driver/factory.ts';
import { simulationSettings } from '../../../simulators/driver/settings.ts';
import { generateFleet } from '../../../simulators/fleet.ts';

const fleet = generateFleet({ seed: 3, devices: 9, devicesPerGateway: 9 });
const gatewayId = fleet.gateways[0]?.id as string;
const context: DriverContext = { gatewayId, devices: fleet.devices, city: fleet.city };
const simulated = new DriverRegistry({ simulated: simulatedDriverFactory });

function configError(run: () => unknown): EdgeConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(EdgeConfigError);
    return error as EdgeConfigError;
  }
  throw new Error('expected an EdgeConfigError');
}

describe('DriverRegistry', () => {
  it('builds each entry with the factory of its type, given the settings checked and completed', () => {
    const given: unknown[] = [];
    const counting: DriverFactory<{ every: number }> = {
      settings: z.object({ every: z.int().default(5) }).strict(),
      create(settings, ctx) {
        given.push({ settings, gatewayId: ctx.gatewayId, devices: ctx.devices.length });
        return { drivers: [] };
      },
    };
    const registry = new DriverRegistry({ counting });
    const built = registry.create([{ type: 'counting' }, { type: 'counting', every: 7 }], context);
    expect(built).toEqual([{ drivers: [] }, { drivers: [] }]);
    expect(given).toEqual([
      { settings: { every: 5 }, gatewayId, devices: 9 },
      { settings: { every: 7 }, gatewayId, devices: 9 },
    ]);
  });

  it('names the entry and the types it has when a type is unknown', () => {
    expect(configError(() => simulated.create([{ type: 'modbus' }], context)).message).toBe(
      'drivers[0] (modbus): this agent has no driver of that type (it has: simulated)',
    );
    expect(configError(() => new DriverRegistry({}).create([{ type: 'simulated' }], context)).message).toBe(
      'drivers[0] (simulated): this agent has no driver of that type (it has: none)',
    );
  });

  it.each([
    ['malformedRate', { malformedRate: 1.5 }],
    ['stuckDevices', { stuckDevices: 'lamp-000001' }],
    ['outages.forS', { outages: { everyS: 600, forS: 0 } }],
    ['speed', { speed: 0 }],
    ['faults.0.fault', { faults: [{ device: 'lamp-000001' }] }],
    ['startAt', { startAt: 'yesterday' }],
    ['(root)', { sped: 2 }],
  ])('names the entry and the field %s when a setting is invalid', (field, settings) => {
    const { message } = configError(() =>
      simulated.create([{ type: 'simulated' }, { type: 'simulated', ...settings }], context),
    );
    expect(message.startsWith(`drivers[1] (simulated): ${field}: `), message).toBe(true);
  });

  it('names the entry when its factory refuses it', () => {
    const entry = { type: 'simulated', stuckDevices: ['lamp-elsewhere'] };
    expect(configError(() => simulated.create([entry], context)).message).toBe(
      `drivers[0] (simulated): stuckDevices: lamp-elsewhere is not a device of ${gatewayId}`,
    );
    const fault = { type: 'simulated', faults: [{ device: 'lamp-elsewhere', fault: 'lampFailure' }] };
    expect(configError(() => simulated.create([fault], context)).message).toBe(
      `drivers[0] (simulated): faults: lamp-elsewhere is not a device of ${gatewayId}`,
    );
  });
});

describe('the simulated driver factory', () => {
  it('fills in the defaults of partly given settings', () => {
    expect(simulationSettings.parse({})).toEqual({
      seed: 1,
      speed: 1,
      malformedRate: 0,
      stuckDevices: [],
      faults: [],
    });
    expect(
      simulationSettings.parse({ stuckDevices: ['lamp-000001'], outages: { everyS: 600, forS: 60 } }),
    ).toEqual({
      seed: 1,
      speed: 1,
      malformedRate: 0,
      stuckDevices: ['lamp-000001'],
      faults: [],
      outages: { everyS: 600, forS: 60 },
    });
  });

  it('builds one driver per kind for the gateway devices, with the simulated clock and faults asked for', () => {
    const [built] = simulated.create(
      [{ type: 'simulated', speed: 60, malformedRate: 1, outages: { everyS: 600, forS: 60 } }],
      context,
    );
    const kinds = new Set(fleet.devices.map((d) => d.kind));
    expect(built?.drivers.map((d) => d.kind).sort()).toEqual([...kinds].sort());
    expect(built?.drivers.reduce((n, d) => n + d.deviceCount, 0)).toBe(fleet.devices.length);
    expect(built?.clock?.speed).toBe(60);
    expect(built?.malformed?.()?.toString()).toBe(`{"v":1,"gatewayId":"${gatewayId}",`);
    expect(built?.outages).toEqual({ everyS: 600, forS: 60 });
    const [plain] = simulated.create([{ type: 'simulated' }], context);
    expect(plain?.malformed).toBeUndefined();
    expect(plain?.outages).toBeUndefined();
  });

  it('simulates only the devices it is given, when the gateway has real drivers for the others', () => {
    const [first, second] = fleet.devices.map((d) => d.id);
    const [built] = simulated.create([{ type: 'simulated', devices: [first, second] }], context);
    const ids = fleet.devices.map((d) => d.id).filter((id) => built?.drivers.some((d) => d.has(id)));
    expect(ids).toEqual([first, second]);
    expect(built?.drivers.reduce((n, d) => n + d.deviceCount, 0)).toBe(2);
    const stranger = { type: 'simulated', devices: [first, 'lamp-elsewhere'] };
    expect(configError(() => simulated.create([stranger], context)).message).toBe(
      `drivers[0] (simulated): devices[1]: lamp-elsewhere is not a device of ${gatewayId}`,
    );
  });
});

describe('composeAgent', () => {
  it('refuses two drivers that both set the device clock', () => {
    const config = {
      ...agentConfig.parse({ gatewayId, mqtt: { url: 'mqtt://127.0.0.1:1', password: 'x' } }),
      drivers: [{ type: 'simulated' }, { type: 'simulated', seed: 2 }],
    };
    const compose = () =>
      composeAgent({ config, ...context, registry: simulated, log: pino({ level: 'silent' }) });
    expect(configError(compose).message).toBe('drivers: only one driver may set the device clock');
  });
});
