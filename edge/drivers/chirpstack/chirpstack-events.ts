import { z } from 'zod';

/**
 * ChirpStack v4's MQTT integration, as its documentation (integrations/mqtt, integrations/events)
 * and its `integration.proto` define it. Events are the Protocol Buffers JSON mapping: fields at
 * their default (0, false, "") are left out, and new versions add fields, so unknown fields pass and
 * every field this driver does not need is optional.
 *
 *   application/{applicationId}/device/{devEui}/event/{up|join|status|...}   ChirpStack -> us
 *   application/{applicationId}/device/{devEui}/command/down                 us -> ChirpStack
 */
export const eventTypes = ['up', 'join', 'status'] as const;
export type EventType = (typeof eventTypes)[number];

/** An EUI-64 as ChirpStack writes it (16 hex digits), in lower case. */
export const devEui = z
  .string()
  .regex(/^[0-9a-fA-F]{16}$/, 'an EUI-64: 16 hex digits')
  .transform((eui) => eui.toLowerCase());

/** ChirpStack's ids (tenant, application) are UUIDs; any topic-safe id is accepted. */
export const applicationId = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'an application id: letters, digits, "-" or "_", 1-64 characters');

const deviceInfo = z
  .object({
    tenantId: z.string().max(64).optional(),
    applicationId,
    deviceProfileName: z.string().max(200).optional(),
    devEui,
  })
  .loose();

const envelope = {
  /** Unique per uplink: a network server that heard it through several gateways sends it once. */
  deduplicationId: z.string().min(1).max(64),
  /** RFC 3339, often with nanoseconds: `2022-07-18T09:34:15.775023242+00:00`. */
  time: z.iso.datetime({ offset: true }).optional(),
  deviceInfo,
};

/** Base64 of at most 255 bytes (the largest LoRaWAN frame). */
const base64 = z
  .string()
  .max(344)
  .regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'base64');

export const uplinkEvent = z
  .object({
    ...envelope,
    /** 0 (MAC commands only) is left out of the JSON. */
    fPort: z.int().min(0).max(255).default(0),
    data: base64.default(''),
    /** Set when the device profile has a codec: what it decoded. */
    object: z.record(z.string(), z.unknown()).optional(),
    rxInfo: z
      .array(z.object({ gatewayId: z.string().optional() }).loose())
      .max(64)
      .optional(),
  })
  .loose();
export type UplinkEvent = z.infer<typeof uplinkEvent>;

export const joinEvent = z.object({ ...envelope, devAddr: z.string().max(8).optional() }).loose();
export type JoinEvent = z.infer<typeof joinEvent>;

/** A device's answer to the network server's DevStatusReq (battery and link margin). */
export const statusEvent = z
  .object({
    ...envelope,
    /** Demodulation margin of the last DevStatusReq, dB. */
    margin: z.int().min(-32).max(31).default(0),
    externalPowerSource: z.boolean().default(false),
    batteryLevelUnavailable: z.boolean().default(false),
    /** Percent (ChirpStack scales the device's 1-254 to 0-100). */
    batteryLevel: z.number().min(0).max(100).default(0),
  })
  .loose();
export type StatusEvent = z.infer<typeof statusEvent>;

/** A ChirpStack event of a type this driver reads, checked against its schema. */
export type ChirpstackEvent =
  | { type: 'up'; event: UplinkEvent }
  | { type: 'join'; event: JoinEvent }
  | { type: 'status'; event: StatusEvent };

export function parseEvent(
  type: EventType,
  json: unknown,
): { success: true; data: ChirpstackEvent } | { success: false; error: z.ZodError } {
  const tagged = <T extends ChirpstackEvent>(tag: T['type'], result: z.ZodSafeParseResult<T['event']>) =>
    result.success ? { success: true as const, data: { type: tag, event: result.data } as T } : result;
  switch (type) {
    case 'up':
      return tagged('up', uplinkEvent.safeParse(json));
    case 'join':
      return tagged('join', joinEvent.safeParse(json));
    case 'status':
      return tagged('status', statusEvent.safeParse(json));
  }
}

export function isEventType(event: string): event is EventType {
  return (eventTypes as readonly string[]).includes(event);
}

/** What we publish on `command/down`: `data` (base64) or, for a ChirpStack codec, `object`. */
export const downlinkCommand = z
  .object({
    devEui,
    confirmed: z.boolean(),
    fPort: z.int().min(1).max(223),
    data: base64.optional(),
    object: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((d) => (d.data === undefined) !== (d.object === undefined), 'either data or object');
export type DownlinkCommand = z.infer<typeof downlinkCommand>;

/** The topic ChirpStack publishes a device's events on, parsed; undefined for any other topic. */
export function parseEventTopic(
  topic: string,
): { applicationId: string; devEui: string; event: string } | undefined {
  const match = /^application\/([^/]+)\/device\/([^/]+)\/event\/([^/]+)$/.exec(topic);
  if (!match) return undefined;
  const [, application, eui, event] = match as unknown as [string, string, string, string];
  return { applicationId: application, devEui: eui.toLowerCase(), event };
}

export function eventTopic(application: string, eui: string, event: string): string {
  return `application/${application}/device/${eui}/event/${event}`;
}

export function downlinkTopic(application: string, eui: string): string {
  return `application/${application}/device/${eui}/command/down`;
}
