import { createCamera } from './camera.ts';
import type { AnyDeviceModel, ModelContext } from './model.ts';
import { createStreetlight } from './streetlight.ts';
import { createWasteBin } from './waste-bin.ts';

export type {
  AnyDeviceModel,
  Command,
  CommandOutcome,
  DeviceModel,
  EventType,
  ModelContext,
  ModelEvent,
  Step,
} from './model.ts';

/** The behaviour model for a device of the fleet, chosen by its kind. */
export function createModel(context: ModelContext): AnyDeviceModel {
  switch (context.device.kind) {
    case 'streetlight':
      return createStreetlight(context);
    case 'wasteBin':
      return createWasteBin(context);
    case 'camera':
      return createCamera(context);
  }
}
