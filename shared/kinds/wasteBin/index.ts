import { z } from 'zod';
import { timestamp } from '../../ids.ts';
import { defineKind, quantity, type SummaryOptions } from '../kind.ts';

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
  eventValues: z.object({
    batteryLevel: quantity('%', 'Battery level when it fell below the low mark (batteryLow)', 0, 100),
    fillingLevel: quantity('%', 'Filling level of a bin so full that its lid stays open (lidOpened)', 0, 100),
    heatAboveAmbient: quantity('K', 'How far the inside is above the ambient temperature (fireRisk)', 0, 300),
    tiltAngle: quantity('°', 'Tilt from upright of a fallen bin (tilted)', 0, 180),
  }),
  healthy: (m) => !['burning', 'dropped', 'vandalized', 'moved'].includes(m.status ?? 'ok'),
  example: {
    deviceId: 'bin-900002',
    metrics: { fillingLevel: 72.5, temperature: 11.2, lidOpen: false, batteryLevel: 88 },
  },
  counts: {
    aboveThreshold: (d, o) =>
      typeof d.latest.fillingLevel === 'number' && d.latest.fillingLevel >= o.binThreshold,
    dueForCollection: (d, o) => dueForCollection(d.latest, o),
    fireRisk: (d) => d.latest.status === 'burning',
  },
  collectionDue: (latest, options) => dueForCollection(latest, options),
  openData: {
    theme: 'ENVI',
    fiware: {
      fillingLevel: { type: 'WasteContainer', attribute: 'fillingLevel', factor: 0.01 },
      temperature: { type: 'WasteContainer', attribute: 'temperature' },
    },
  },
});

/** Full to the threshold, or not emptied for too long. */
function dueForCollection(
  latest: { fillingLevel?: number; dateLastEmptying?: string },
  options: SummaryOptions,
): boolean {
  const fill = latest.fillingLevel;
  if (typeof fill === 'number' && fill >= options.binThreshold) return true;
  const emptied = latest.dateLastEmptying;
  const limit = options.maxDaysWithoutEmptying * 86_400_000;
  return typeof emptied === 'string' && options.now.getTime() - Date.parse(emptied) > limit;
}
