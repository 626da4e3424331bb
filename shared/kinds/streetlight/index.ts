import { z } from 'zod';
import { defineKind, quantity } from '../kind.ts';

/** FIWARE Streetlight.status: anything but `ok` is a fault; no status yet counts as working. */
const lampWorks = (status: string | undefined) => status === undefined || status === 'ok';

export const streetlight = defineKind({
  kind: 'streetlight',
  fiwareType: 'Streetlight',
  description: 'street light',
  metrics: z.object({
    powerState: z
      .enum(['on', 'off', 'low', 'bootingUp'])
      .meta({ description: 'FIWARE Streetlight.powerState; "low" means dimmed' }),
    dimmingLevel: quantity('%', 'Dimming level, 100 = full output', 0, 100),
    activePower: quantity('W', 'Active power drawn by the luminaire', 0, 10_000),
    energyConsumed: quantity('kWh', 'Cumulative energy since installation', 0, 10_000_000),
    voltage: quantity('V', 'Supply voltage (RMS)', 0, 1_000),
    current: quantity('A', 'Supply current (RMS)', 0, 100),
    powerFactor: quantity('1', 'Power factor', 0, 1),
    status: z
      .enum(['ok', 'defectiveLamp', 'columnIssue', 'brokenLantern'])
      .meta({ description: 'FIWARE Streetlight.status: lamp condition' }),
    ambientLight: quantity('lx', 'Ambient illuminance at the luminaire photocell', 0, 200_000),
    operatingHours: quantity('h', 'Cumulative burning hours of the lamp', 0, 1_000_000),
  }),
  events: z.enum(['lampFault', 'lampRepaired', 'columnIssue', 'switchedOn', 'switchedOff']),
  commands: z.discriminatedUnion('action', [
    z.object({ action: z.literal('switch'), on: z.boolean() }).strict(),
    z.object({ action: z.literal('setDimming'), level: z.number().min(0).max(100) }).strict(),
    z.object({ action: z.literal('returnToSchedule') }).strict(),
  ]),
  eventValues: z.object({
    switchedBy: z.enum(['operator', 'schedule']).meta({
      description:
        'Who switched (switchedOn, switchedOff): an operator command, or the schedule it returned to',
    }),
  }),
  healthy: (m) => lampWorks(m.status),
  example: {
    deviceId: 'lamp-900001',
    metrics: { powerState: 'on', dimmingLevel: 100, activePower: 61.5, energyConsumed: 1234.5, status: 'ok' },
  },
  counts: {
    on: (d) => d.latest.powerState === 'on' || d.latest.powerState === 'low',
    off: (d) => d.latest.powerState === 'off',
    faulty: (d) => !lampWorks(d.latest.status),
  },
  today: { energyTodayKWh: { metric: 'energyConsumed', of: 'increase' } },
  openData: {
    theme: 'ENER',
    fiware: {
      activePower: { type: 'Streetlight', attribute: 'powerConsumption' },
      voltage: { type: 'Streetlight', attribute: 'voltage' },
      current: { type: 'Streetlight', attribute: 'current' },
      powerFactor: { type: 'Streetlight', attribute: 'powerFactor' },
      dimmingLevel: { type: 'Streetlight', attribute: 'illuminanceLevel', factor: 0.01 },
    },
  },
});
