import { z } from 'zod';
import { driverEntry } from './driver-entry.ts';
import { driverHealth } from './driver-health.ts';
import { gatewayId, timestamp } from './ids.ts';
import { deviceCommand, deviceEvent, reading } from './kinds/index.ts';
import { uplink } from './uplink.ts';

/** The most readings one telemetry message may carry; larger batches are split by the sender. */
export const maxReadingsPerBatch = 1_000;
export const maxEventsPerBatch = 1_000;

const envelope = {
  v: z.literal(1).meta({ description: 'Contract version' }),
  gatewayId,
  sentAt: timestamp.meta({ description: 'When the gateway sent the message' }),
};

/**
 * Data minimisation: besides enumerations, numbers and timestamps, the only strings a gateway sends
 * are ids and versions with a strict pattern; no field can carry free text.
 */
const batchId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'letters, digits, ".", "_", ":" or "-", 1-64 characters')
  .meta({ description: 'Unique per gateway; a resent batch keeps its id, so the cloud recognises it' });

const softwareVersion = z
  .string()
  // Numbers first (1.4.2), then at most a short pre-release or build suffix: a version can't be a
  // name, a plate or an IMSI sent in its place (issue 13).
  .regex(
    /^\d{1,6}(\.\d{1,6}){1,3}([-+][0-9A-Za-z.+-]{1,32})?$/,
    'a version: 2-4 numbers joined by ".", then optionally "-" or "+" and up to 32 letters, digits, ".", "+" or "-"',
  )
  .meta({ description: 'Version of the gateway software, e.g. 1.4.2 or 1.5.0-rc.1+build.7' });

/** `.../telemetry`, QoS 1: a batch of readings from devices owned by one gateway. */
export const telemetryBatch = z
  .object({
    ...envelope,
    batchId,
    readings: z.array(reading).min(1).max(maxReadingsPerBatch),
  })
  .strict()
  .meta({ id: 'TelemetryBatch' });
export type TelemetryBatch = z.infer<typeof telemetryBatch>;

/**
 * What ingestion validates first: the envelope, with each reading checked on its own so that one
 * bad reading is dead-lettered without discarding the good readings beside it.
 */
export const telemetryEnvelope = telemetryBatch.extend({
  readings: z.array(z.unknown()).min(1).max(maxReadingsPerBatch),
});

/** `.../events`, QoS 1: discrete things that happened (a lamp failed, a bin tipped over, tamper). */
export const eventBatch = z
  .object({ ...envelope, batchId, events: z.array(deviceEvent).min(1).max(maxEventsPerBatch) })
  .strict()
  .meta({ id: 'EventBatch' });
export type EventBatch = z.infer<typeof eventBatch>;

export const eventEnvelope = eventBatch.extend({
  events: z.array(z.unknown()).min(1).max(maxEventsPerBatch),
});

/** `.../status`, QoS 1, retained; also the gateway's last will with state "offline". */
export const gatewayStatus = z
  .object({
    v: z.literal(1),
    gatewayId,
    state: z.enum(['online', 'offline']),
    ts: timestamp.optional().meta({ description: 'Absent in the last will, which is fixed at connect time' }),
    softwareVersion: softwareVersion.optional(),
  })
  .strict()
  .meta({ id: 'GatewayStatus' });
export type GatewayStatus = z.infer<typeof gatewayStatus>;

/** `.../heartbeat`, QoS 1: gateway health, sent periodically. */
export const gatewayHeartbeat = z
  .object({
    ...envelope,
    uptime: z.number().min(0).meta({ unit: 's', description: 'Seconds since the agent started' }),
    queueDepth: z.int().min(0).meta({ description: 'Readings waiting to be acknowledged by the cloud' }),
    droppedReadings: z.int().min(0).meta({ description: 'Readings dropped because the queue was full' }),
    droppedRange: z
      .object({ from: timestamp, to: timestamp })
      .strict()
      .optional()
      .meta({ description: 'Device time range of the dropped readings: the gap in the data' }),
    deviceCount: z.int().min(0),
    softwareVersion,
    memoryRss: z.number().min(0).meta({ unit: 'B', description: 'Resident memory of the agent' }),
    configVersion: z
      .int()
      .min(0)
      .meta({ description: 'Version of the remote configuration in force; 0 = none' }),
    drivers: z.array(driverHealth).max(64).optional().meta({
      description: "Health of each of the gateway's driver entries (absent from agents before issue 17)",
    }),
    uplink: uplink.optional().meta({
      description:
        'The cellular uplink as the modem measures it; absent when the gateway has none or cannot read it',
    }),
  })
  .strict()
  .meta({ id: 'GatewayHeartbeat' });
export type GatewayHeartbeat = z.infer<typeof gatewayHeartbeat>;

/** `.../commands`, QoS 1, cloud to gateway: one command for one device. */
export const commandMessage = z
  .object({
    v: z.literal(1),
    commandId: z.uuid(),
    issuedAt: timestamp,
    expiresAt: timestamp.optional(),
    target: deviceCommand,
  })
  .strict()
  .meta({ id: 'CommandMessage' });
export type CommandMessage = z.infer<typeof commandMessage>;

/**
 * Why a command ended as it did, beside its status: a code, not free text (a sentence from a
 * vendor's driver could carry anything).
 */
export const commandReason = z
  .enum([
    'invalidCommand',
    'expired',
    'unknownDevice',
    'deviceFault',
    'driverError',
    'limitedByRating',
    'deferred',
    'unsupported',
  ])
  .meta({
    description:
      'rejected: invalidCommand (not a valid command message), expired (past expiresAt), unknownDevice (not on this gateway), ' +
      'unsupported (the device model cannot do this action); ' +
      'failed: deviceFault (the device has a fault that prevents it), driverError (the driver failed); ' +
      'succeeded: limitedByRating (capped at what the device is rated for), deferred (takes effect later, e.g. after the current session)',
  });
export type CommandReason = z.infer<typeof commandReason>;

/** `.../command-results`, QoS 1, gateway to cloud: what became of a command. */
export const commandResult = z
  .object({
    v: z.literal(1),
    gatewayId,
    commandId: z.uuid(),
    ts: timestamp,
    status: z.enum(['succeeded', 'failed', 'rejected']),
    reason: commandReason.optional(),
  })
  .strict()
  .meta({ id: 'CommandResult' });
export type CommandResult = z.infer<typeof commandResult>;

/** A metric's name, as a kind declares it. */
const metricName = z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'a metric name: letters and digits, 1-64');

/** A field of the gateway configuration, as a dotted path. */
const configField = z
  .string()
  .regex(/^[A-Za-z0-9_.]{1,100}$/, 'a field path: letters, digits, "_" and ".", 1-100 characters');

/**
 * `.../config`, QoS 1, retained, cloud to gateway: the gateway's remote configuration. A gateway
 * applies a higher version than the one it has and confirms it on `.../config-status`.
 */
export const gatewayConfig = z
  .object({
    v: z.literal(1),
    version: z.int().min(1),
    reportingIntervalS: z.number().min(1).max(86_400).meta({ unit: 's' }),
    /** Per metric: a reading is sent only when some metric moved by more than its deadband. */
    deadband: z.record(metricName, z.number().min(0)).default({}),
    /** A device reports at least this often even when nothing moved past its deadband. */
    maxSilenceS: z.number().min(1).max(86_400).default(900).meta({ unit: 's' }),
    /**
     * The gateway's drivers, replacing those of its own configuration file; absent: the file's. Entries
     * that did not change keep running; the others are closed and built anew, without a restart.
     */
    drivers: z.array(driverEntry).min(1).max(64).optional().meta({
      description:
        "The gateway's drivers (docs/drivers.md), in place of its configuration file's; absent: the file's",
    }),
  })
  .strict()
  .meta({ id: 'GatewayConfig' });
export type GatewayConfig = z.infer<typeof gatewayConfig>;

/** `.../config-status`, QoS 1, gateway to cloud: which configuration version the gateway applied. */
export const configStatus = z
  .object({
    v: z.literal(1),
    gatewayId,
    version: z.int().min(1),
    status: z.enum(['applied', 'rejected']),
    ts: timestamp,
    invalidFields: z.array(configField).min(1).max(20).optional().meta({
      description:
        'With rejected: the fields of the configuration that were invalid, e.g. deadband.activePower',
    }),
  })
  .strict()
  .meta({ id: 'ConfigStatus' });
export type ConfigStatus = z.infer<typeof configStatus>;
