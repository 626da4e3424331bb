import { z } from 'zod';
import { defineKind, quantity } from '../kind.ts';

/**
 * A 5G public-space camera. It analyses video on the device and sends counts only:
 * the schema has no field that could carry an image, a face, a plate or any other personal
 * data (no free text either: its events are a type and nothing else), and unknown fields are
 * rejected.
 */
export const camera = defineKind({
  kind: 'camera',
  fiwareType: 'CrowdFlowObserved + TrafficFlowObserved',
  description: '5G public-space camera',
  metrics: z.object({
    streamStatus: z
      .enum(['online', 'degraded', 'offline'])
      .meta({ description: 'Video analytics pipeline state' }),
    peopleCount: z
      .int()
      .min(0)
      .max(100_000)
      .meta({ unit: '1', description: 'FIWARE CrowdFlowObserved.peopleCount in the reporting interval' }),
    crowdDensity: quantity('1/m²', 'People per square metre in the observed zone', 0, 20),
    occupancy: quantity('%', 'Share of the zone occupied (FIWARE uses 0-1; we use percent)', 0, 100),
    vehicleCount: z
      .int()
      .min(0)
      .max(100_000)
      .meta({ unit: '1', description: 'FIWARE TrafficFlowObserved.intensity in the reporting interval' }),
    averageVehicleSpeed: quantity('km/h', 'FIWARE TrafficFlowObserved.averageVehicleSpeed', 0, 300),
    rsrp: quantity('dBm', '5G reference signal received power', -160, -20),
    sinr: quantity('dB', '5G signal to interference and noise ratio', -30, 50),
    uplinkBitrate: quantity('kbit/s', 'Uplink bitrate of the camera link', 0, 10_000_000),
    latency: quantity('ms', 'Round-trip latency to the edge gateway', 0, 60_000),
    tamperDetected: z.boolean().meta({ description: 'Lens covered, moved or sprayed' }),
  }),
  events: z.enum(['tamper', 'streamDown', 'streamUp', 'rebooted']),
  commands: z.discriminatedUnion('action', [
    z.object({ action: z.literal('reboot') }).strict(),
    z.object({ action: z.literal('setReportingInterval'), seconds: z.int().min(1).max(3_600) }).strict(),
  ]),
  eventValues: z.object({}),
  healthy: (m) => m.streamStatus !== 'offline' && m.tamperDetected !== true,
  example: {
    deviceId: 'cam-900003',
    metrics: {
      streamStatus: 'online',
      peopleCount: 37,
      crowdDensity: 0.12,
      vehicleCount: 12,
      rsrp: -88,
      sinr: 14.5,
    },
  },
  link: { rsrp: 'rsrp', sinr: 'sinr' },
  counts: {
    streaming: (d) => d.status === 'online' && d.latest.streamStatus === 'online',
    tampered: (d) => d.latest.tamperDetected === true,
  },
  today: {
    peopleToday: { metric: 'peopleCount', of: 'sum' },
    vehiclesToday: { metric: 'vehicleCount', of: 'sum' },
  },
  openData: {
    theme: 'TRAN',
    peopleCounts: ['peopleCount'],
    // docs/privacy.md, "Opening aggregates safely": 24 hours after the fact at the earliest.
    minDelayMinutes: 24 * 60,
    fiware: {
      peopleCount: { type: 'CrowdFlowObserved', attribute: 'peopleCount', integer: true },
      occupancy: { type: 'CrowdFlowObserved', attribute: 'occupancy', factor: 0.01 },
      vehicleCount: { type: 'TrafficFlowObserved', attribute: 'intensity' },
      averageVehicleSpeed: { type: 'TrafficFlowObserved', attribute: 'averageVehicleSpeed' },
    },
  },
});
