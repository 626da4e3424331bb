import { z } from 'zod';
import { timestamp } from '../ids.ts';
import { defineKind, quantity } from './kind.ts';

export const wasteBin = defineKind({
  kind: 'wasteBin',
  fiwareType: 'WasteContainer',
  description: 'waste bin',
  metrics: z.object({
    fillingLevel: quantity('%', 'Filling level (FIWARE uses 0-1; we use percent)', 0, 100),
    temperature: quantity('°C', 'Temperature inside the container, for fire detection', -60, 200),
    tiltAngle: quantity('°', 'Tilt from upright; a fallen bin reads near 90', 0, 180),
    lidOpen: z.boolean().meta({ description: 'Lid is open' }),
    batteryLevel: quantity('%', 'Sensor battery (FIWARE uses 0-1; we use percent)', 0, 100),
    status: z
      .enum(['ok', 'lidOpen', 'dropped', 'moved', 'vandalized', 'burning', 'unknown'])
      .meta({ description: 'FIWARE WasteContainer.status' }),
    dateLastEmptying: timestamp.meta({ description: 'FIWARE WasteContainer.dateLastEmptying' }),
  }),
  events: z.enum(['emptied', 'tilted', 'lidOpened', 'lidClosed', 'fireRisk', 'batteryLow']),
  commands: z.discriminatedUnion('action', [z.object({ action: z.literal('requestStatus') }).strict()]),
  healthy: (m) => !['burning', 'dropped', 'vandalized', 'moved'].includes(m.status ?? 'ok'),
});
