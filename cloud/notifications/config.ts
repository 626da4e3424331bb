import { z } from 'zod';

const channelName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and "-"');

export const webhookChannelConfig = z
  .object({
    name: channelName,
    type: z.literal('webhook'),
    url: z.url({ protocol: /^https?$/ }),
    /** HMAC-SHA256 key for the X-City-Signature header; share it with the receiver only. */
    secret: z.string().min(16, 'at least 16 characters'),
    maxAttempts: z.int().min(1).max(20).default(5),
    timeoutMs: z.int().min(100).max(120_000).default(10_000),
  })
  .strict();

export const mqttChannelConfig = z
  .object({
    name: channelName,
    type: z.literal('mqtt'),
    // [MQTT-3.3.2-2] a PUBLISH topic name must not contain wildcard characters.
    topic: z
      .string()
      .min(1)
      .max(256)
      .refine((t) => !/[#+\0]/.test(t), 'must not contain "#", "+" or NUL'),
  })
  .strict();

export const logChannelConfig = z.object({ name: channelName, type: z.literal('log') }).strict();

export const channelConfig = z.discriminatedUnion('type', [
  webhookChannelConfig,
  mqttChannelConfig,
  logChannelConfig,
]);
export type ChannelConfig = z.infer<typeof channelConfig>;
export type WebhookChannelConfig = z.infer<typeof webhookChannelConfig>;

/** The configured channels; names are what rules list in their `channels`. */
export const channelsConfig = z.array(channelConfig).superRefine((channels, ctx) => {
  const seen = new Set<string>();
  channels.forEach((channel, index) => {
    if (seen.has(channel.name)) {
      ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate channel "${channel.name}"` });
    }
    seen.add(channel.name);
  });
});
