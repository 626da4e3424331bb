/** Where a device sits; its tags on every point. */
export interface DevicePlacement {
  gatewayId: string;
  district: string;
}
