import { z } from 'zod';
import { defineKind, quantity } from '../kind.ts';

/**
 * A public EV charging point, one device per connector (a post with two sockets is two devices at
 * the same place): OCPP 1.6 reports status, meter values and faults per connector, and our readings
 * are flat, one value per metric, so a connector maps onto a device without suffixes on metric
 * names. Names follow FIWARE EVChargingStation where it has one; see README.md for where we differ.
 * Nothing identifies a driver: no RFID tag, no idTag, no transaction owner.
 */

/** OCPP 1.6 ChargePointStatus, per connector. */
export const connectorStatuses = [
  'Available',
  'Preparing',
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
  'Reserved',
  'Unavailable',
  'Faulted',
] as const;

/** OCPP 1.6 ChargePointErrorCode. */
export const errorCodes = [
  'ConnectorLockFailure',
  'EVCommunicationError',
  'GroundFailure',
  'HighTemperature',
  'InternalError',
  'LocalListConflict',
  'NoError',
  'OtherError',
  'OverCurrentFailure',
  'OverVoltage',
  'PowerMeterFailure',
  'PowerSwitchFailure',
  'ReaderFailure',
  'ResetFailure',
  'UnderVoltage',
  'WeakSignal',
] as const;

/** A car is at the connector: plugged in, charging, paused or done but not yet unplugged. */
const occupiedStatuses: readonly string[] = [
  'Preparing',
  'Charging',
  'SuspendedEV',
  'SuspendedEVSE',
  'Finishing',
];

const errorCode = z
  .enum(errorCodes)
  .meta({ description: 'OCPP 1.6 ChargePointErrorCode; NoError when fine' });
const maxKW = 400;

export const evCharger = defineKind({
  kind: 'evCharger',
  fiwareType: 'EVChargingStation',
  description: 'EV charging point (one connector)',
  metrics: z.object({
    connectorStatus: z
      .enum(connectorStatuses)
      .meta({ description: 'OCPP 1.6 StatusNotification.status of the connector' }),
    errorCode,
    activePower: quantity('kW', 'Power delivered to the car now (OCPP Power.Active.Import)', 0, maxKW),
    sessionEnergy: quantity('kWh', 'Energy delivered in the current session; 0 without a session', 0, 1_000),
    cumulativeEnergy: quantity(
      'kWh',
      'Meter reading since installation (OCPP Energy.Active.Import.Register)',
      0,
      100_000_000,
    ),
    sessionDuration: quantity('s', 'Time since the car was plugged in; 0 without a session', 0, 30 * 86_400),
    powerLimit: quantity('kW', 'Power limit in force (operator limit or the connector rating)', 0, maxKW),
    ratedPower: quantity('kW', 'Rated power of the connector (FIWARE EVChargingStation.power)', 0, maxKW),
    temperature: quantity('°C', 'Temperature inside the charging point', -60, 200),
  }),
  events: z.enum(['sessionStarted', 'sessionEnded', 'fault', 'faultCleared', 'rebooted']),
  eventValues: z.object({
    sessionEnergy: quantity('kWh', 'Energy delivered in the session (sessionEnded)', 0, 1_000),
    sessionDuration: quantity(
      's',
      'Duration of the session, plug-in to unplug (sessionEnded)',
      0,
      30 * 86_400,
    ),
    errorCode: errorCode.meta({ description: 'OCPP 1.6 error code of a fault' }),
    resetType: z
      .enum(['soft', 'hard'])
      .meta({ description: 'The reset that restarted the charging point (rebooted)' }),
  }),
  commands: z.discriminatedUnion('action', [
    z.object({ action: z.literal('setPowerLimit'), kW: z.number().min(0).max(maxKW) }).strict(),
    z
      .object({ action: z.literal('setAvailability'), availability: z.enum(['available', 'unavailable']) })
      .strict(),
    z.object({ action: z.literal('unlockConnector') }).strict(),
    z.object({ action: z.literal('reset'), type: z.enum(['soft', 'hard']) }).strict(),
  ]),
  healthy: (m) => m.connectorStatus !== 'Faulted' && (m.errorCode ?? 'NoError') === 'NoError',
  example: {
    deviceId: 'evc-900004',
    metrics: {
      connectorStatus: 'Charging',
      errorCode: 'NoError',
      activePower: 10.8,
      sessionEnergy: 6.4,
      cumulativeEnergy: 18_250.7,
      sessionDuration: 2_460,
      powerLimit: 22,
    },
  },
  counts: {
    charging: (d) => d.latest.connectorStatus === 'Charging',
    occupied: (d) => occupiedStatuses.includes(d.latest.connectorStatus ?? ''),
    available: (d) => d.status === 'online' && d.latest.connectorStatus === 'Available',
    faulted: (d) => d.latest.connectorStatus === 'Faulted',
  },
  ratios: {
    utilisationPercent: (c) => (c.total ? Math.round((1000 * (c.occupied ?? 0)) / c.total) / 10 : 0),
  },
  today: {
    energyTodayKWh: { of: 'increase', metric: 'cumulativeEnergy' },
    sessionsToday: { of: 'count', event: 'sessionStarted' },
  },
  openData: {
    theme: 'TRAN',
    fiware: { activePower: { type: 'EVChargingStation', attribute: 'powerConsumption' } },
  },
});
