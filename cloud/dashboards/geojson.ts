import type { DeviceView } from '../registry/registry.ts';
import { isHealthy } from './fleet-summary.ts';

/** The devices as a GeoJSON FeatureCollection (RFC 7946: coordinates are [longitude, latitude]). */
export function devicesAsGeoJson(devices: DeviceView[]) {
  return {
    type: 'FeatureCollection' as const,
    features: devices
      .filter((d) => d.location)
      .map((d) => ({
        type: 'Feature' as const,
        id: d.id,
        geometry: {
          type: 'Point' as const,
          coordinates: [d.location?.lon as number, d.location?.lat as number],
        },
        properties: {
          id: d.id,
          kind: d.kind,
          district: d.district,
          gatewayId: d.gatewayId,
          name: d.name ?? null,
          status: d.status,
          condition: d.status === 'offline' ? 'offline' : isHealthy(d) ? 'ok' : 'fault',
          lastSeen: d.lastSeen ?? null,
          latest: d.latest,
        },
      })),
  };
}
