import type { Logger } from 'pino';
import { z } from 'zod';

/**
 * The quality of a gateway's cellular uplink, as its modem measures it, sent in the heartbeat. Only
 * radio figures and the network operator's public code: no IMSI, IMEI, phone number or cell id
 * (which would place the SIM's holder), and no free text.
 *
 * Bounds are 3GPP's reporting ranges: RSRP −156 to −31 dBm (NR SS-RSRP, TS 38.133 §10.1.6, which
 * contains LTE's −140 to −44 of TS 36.133 §9.1.4), RSRQ −43 to 20 dB (NR SS-RSRQ, TS 38.133
 * §10.1.11, containing LTE's); SINR has no LTE reporting range, so its bounds are the platform's (the
 * camera's link metric: −30 to 50 dB).
 */
export const uplinkTechnology = z
  .enum(['gsm', 'umts', 'lte', 'nr'])
  .meta({ description: 'Radio access technology of the link: 2G, 3G, 4G or 5G NR' });
export type UplinkTechnology = z.infer<typeof uplinkTechnology>;

export const uplink = z
  .object({
    technology: uplinkTechnology,
    rsrp: z.number().min(-156).max(-31).meta({ unit: 'dBm', description: 'Reference signal received power' }),
    rsrq: z
      .number()
      .min(-43)
      .max(20)
      .optional()
      .meta({ unit: 'dB', description: 'Reference signal received quality' }),
    sinr: z
      .number()
      .min(-30)
      .max(50)
      .meta({ unit: 'dB', description: 'Signal to interference and noise ratio' }),
    latencyMs: z
      .number()
      .min(0)
      .max(60_000)
      .optional()
      .meta({ unit: 'ms', description: 'Round-trip time to the broker' }),
    operator: z
      .string()
      .regex(/^\d{3}-\d{2,3}$/, 'MCC-MNC, e.g. 230-01')
      .optional()
      .meta({ description: "The network operator's public code (MCC-MNC), never the subscriber's" }),
  })
  .strict()
  .meta({ id: 'GatewayUplink' });
export type Uplink = z.infer<typeof uplink>;

/** Where an agent reads its uplink from: a modem, or a model in simulations. Never throws. */
export interface UplinkSource {
  /** The link now, or undefined when it cannot be measured (no modem, no signal, a failure). */
  read(now: Date): Promise<Uplink | undefined>;
}

export interface UplinkContext {
  gatewayId: string;
  /** Where the gateway stands, when its fleet file says (a simulated link depends on it). */
  location?: { lat: number; lon: number };
  log?: Logger;
}

/** Builds an uplink source from the `uplink` entry of an agent's configuration (`{ type, ...settings }`). */
export interface UplinkFactory<S = unknown> {
  settings: z.ZodType<S>;
  create(settings: S, context: UplinkContext): UplinkSource;
}
