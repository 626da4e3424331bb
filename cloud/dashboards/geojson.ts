import type { Connectivity } from '../registry/registry.ts';
import type { DeviceRecord } from '../registry/store.ts';
import { isHealthy } from './fleet-summary.ts';

/**
 * The devices as a GeoJSON FeatureCollection (RFC 7946: coordinates are [longitude, latitude]), each
 * with its connectivity now; made from the records themselves (no view copied per device).
 */
export function devicesAsGeoJson(
  devices: readonly Readonly<DeviceRecord>[],
  connectivity: (device: Readonly<DeviceRecord>) => Connectivity,
) {
  const features = [];
  for (const d of devices) {
    if (!d.location) continue;
    const status = connectivity(d);
    features.push({
      type: 'Feature' as const,
      id: d.id,
      geometry: { type: 'Point' as const, coordinates: [d.location.lon, d.location.lat] },
      properties: {
        id: d.id,
        kind: d.kind,
        district: d.district,
        gatewayId: d.gatewayId,
        name: d.name ?? null,
        status,
        condition: status === 'offline' ? 'offline' : isHealthy(d) ? 'ok' : 'fault',
        lastSeen: d.lastSeen ?? null,
        latest: d.latest,
      },
    });
  }
  return { type: 'FeatureCollection' as const, features };
}
