import type { DeviceRecord } from '../../cloud/registry/store.ts';

/** A street light's registry record, provisioned on gw-1 in centrum, with no values yet, and `overrides`. */
export const deviceRecord = (id: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({
  id,
  kind: 'streetlight',
  gatewayId: 'gw-1',
  district: 'centrum',
  provisioned: true,
  latest: {},
  ...overrides,
});
