import { simulatedKinds } from '../kinds/index.ts';
import type { AnyDeviceModel, ModelContext } from './model.ts';

export type {
  AnyDeviceModel,
  Command,
  CommandOutcome,
  DeviceModel,
  EventType,
  EventValues,
  ModelContext,
  ModelEvent,
  Step,
} from './model.ts';

/** The behaviour model for a device of the fleet, chosen by its kind. */
export function createModel(context: ModelContext): AnyDeviceModel {
  return (simulatedKinds[context.device.kind].createModel as (c: ModelContext) => AnyDeviceModel)(context);
}
