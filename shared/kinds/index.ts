import { z } from 'zod';
import { camera } from './camera/index.ts';
import { evCharger } from './evCharger/index.ts';
import { streetlight } from './streetlight/index.ts';
import { wasteBin } from './wasteBin/index.ts';

/**
 * Every device kind the platform knows: the one list. A kind is a folder here (its schemas), one in
 * simulators/kinds/ (its simulator) and one in provisioning/kinds/ (its default rules and dashboard);
 * everything else derives from this list or is typed `Record<DeviceKind, …>`.
 */
export const kinds = { streetlight, wasteBin, camera, evCharger } as const;

type Kinds = typeof kinds;
export type DeviceKind = keyof Kinds;
type Spec = Kinds[DeviceKind];

/** The kinds in registration order. */
export const kindList = Object.values(kinds) as Spec[];

export const deviceKind = z.enum(Object.keys(kinds) as [DeviceKind, ...DeviceKind[]]);

type Readings = { [K in DeviceKind]: Kinds[K]['reading'] }[DeviceKind];
type Events = { [K in DeviceKind]: Kinds[K]['event'] }[DeviceKind];
type Commands = { [K in DeviceKind]: Kinds[K]['command'] }[DeviceKind];

export const reading = z.discriminatedUnion(
  'kind',
  kindList.map((k) => k.reading) as unknown as [Readings, ...Readings[]],
);
export type Reading = z.infer<typeof reading>;

export const deviceEvent = z.discriminatedUnion(
  'kind',
  kindList.map((k) => k.event) as unknown as [Events, ...Events[]],
);
export type DeviceEvent = z.infer<typeof deviceEvent>;

export const deviceCommand = z.discriminatedUnion(
  'kind',
  kindList.map((k) => k.command) as unknown as [Commands, ...Commands[]],
);
export type DeviceCommand = z.infer<typeof deviceCommand>;

type KindCommands = { [K in DeviceKind]: Kinds[K]['commands'] }[DeviceKind];

/**
 * The `command` of any kind: every kind's actions, one discriminated union on `action` (no two kinds
 * share an action name). Each kind's commands are a named schema (`streetlightCommand`, ...) in the
 * API document; which kind a device has decides which of them it accepts.
 */
export const kindCommand = z.discriminatedUnion(
  'action',
  kindList.map((k) =>
    k.commands.meta({ id: `${k.kind}Command`, description: `A command to a ${k.description}` }),
  ) as unknown as [KindCommands, ...KindCommands[]],
);
export type KindCommand = z.infer<typeof kindCommand>;

export type Metrics<K extends DeviceKind> = Extract<Reading, { kind: K }>['metrics'];
export type MetricValue = string | number | boolean;
export type { DailyTotal, SummaryDevice, SummaryOptions } from './kind.ts';
