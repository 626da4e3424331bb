import { type Request, type Response, Router } from 'express';
import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { alertSeverity } from '../../shared/severity.ts';
import { alertChangeKind, alertState } from '../alerts/schema.ts';
import { commandStatus } from '../commands/status.ts';
import { TooManyRequestsError } from '../errors/domain-error.ts';
import type { EventBus, LiveEvents } from '../live/events.ts';
import { mapState } from '../live/map-state.ts';
import { principalOf } from './auth.ts';

/** The installation's caps on live streams (EVENTS_MAX_STREAMS, EVENTS_MAX_STREAMS_PER_PRINCIPAL), all tenants together. */
export class StreamSlots {
  private readonly max: number;
  private readonly maxPerPrincipal: number;
  private readonly perPrincipal = new Map<string, number>();
  private open = 0;

  constructor(max: number, maxPerPrincipal: number) {
    this.max = max;
    this.maxPerPrincipal = maxPerPrincipal;
  }

  /** Takes a slot for `owner`; returns its release, or throws 429 with Retry-After when full. */
  take(res: Response, owner: string): () => void {
    const mine = this.perPrincipal.get(owner) ?? 0;
    const refuse = (detail: string): never => {
      res.set('Retry-After', String(retryAfterS));
      throw new TooManyRequestsError(detail);
    };
    if (this.open >= this.max) refuse(`the server has ${this.max} live streams open, its most`);
    if (mine >= this.maxPerPrincipal)
      refuse(`${this.maxPerPrincipal} live streams are open for these credentials, their most`);
    this.open++;
    this.perPrincipal.set(owner, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.open--;
      const left = (this.perPrincipal.get(owner) ?? 1) - 1;
      if (left > 0) this.perPrincipal.set(owner, left);
      else this.perPrincipal.delete(owner);
    };
  }
}

export interface EventStreamOptions {
  /** A `: ping` comment this often. */
  pingMs: number;
  slots: StreamSlots;
}

/** A client this far behind (bytes not yet taken by it) is cut off; it reconnects and re-reads its lists. */
const maxBufferedBytes = 1 << 20;

/** Seconds a refused client is asked to wait before it tries again. */
const retryAfterS = 30;

type Send = (event: keyof LiveEvents, data: unknown) => void;

/**
 * Answers a request with a Server-Sent Events stream of what `subscribe` passes to `send` (it
 * returns its unsubscribe functions), a `: ping` comment every `pingMs`, in one of the
 * installation's stream slots. `Cache-Control: no-transform` keeps compressing proxies and
 * middleware from buffering it.
 */
export function openEventStream(
  req: Request,
  res: Response,
  options: EventStreamOptions,
  subscribe: (send: Send) => (() => void)[],
): void {
  const { kind, id } = principalOf(res);
  const release = options.slots.take(res, `${kind}:${id}`);
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache, no-transform',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const send: Send = (event, data) => {
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (res.writableLength > maxBufferedBytes) res.destroy();
  };
  const listeners = subscribe(send);
  const ping = setInterval(() => res.write(': ping\n\n'), options.pingMs);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    for (const off of listeners) off();
    release();
  };
  req.on('close', close);
  res.on('close', close);
}

/**
 * GET /api/v1/events: Server-Sent Events (text/event-stream) of a tenant's alert changes, command
 * status changes and device map states. A stream holds no history: a client re-reads its lists on
 * (re)connect.
 */
export function eventRoutes(options: EventStreamOptions & { bus: EventBus<LiveEvents> }): Router {
  const { bus } = options;
  const router = Router();
  router.get('/events', (req, res) => {
    openEventStream(req, res, options, (send) => [
      bus.on('alert', (data) => send('alert', data)),
      bus.on('command', (data) => send('command', data)),
      bus.on('device', (data) => send('device', data)),
    ]);
  });
  return router;
}

/** What the events carry (documented here; a stream's body is text, one event per blank-line-separated block). */
const alertEvent = z
  .object({
    transition: alertChangeKind,
    alert: z.looseObject({
      id: z.string(),
      ruleId: z.string(),
      ruleName: z.string(),
      severity: alertSeverity,
      state: alertState,
      subject: z.looseObject({ kind: z.enum(['device', 'group']), id: z.string() }),
      summary: z.string(),
      firedAt: z.string(),
    }),
  })
  .meta({ id: 'AlertEvent', description: '`event: alert`: an alert changed' });
const commandEvent = z.looseObject({ id: z.string(), deviceId: z.string(), status: commandStatus }).meta({
  id: 'CommandEvent',
  description: '`event: command`: the command record, as GET /api/v1/commands/{id}',
});
export const deviceEvent = z
  .object({ id: z.string(), state: mapState })
  .meta({ id: 'DeviceStateEvent', description: "`event: device`: a device's map state changed" });

export const eventPaths: ZodOpenApiPathsObject = {
  '/api/v1/events': {
    get: {
      summary: 'Live updates (Server-Sent Events): alert changes, command statuses, device map states',
      description:
        'text/event-stream. Events: `alert` (AlertEvent), `command` (CommandEvent), `device` (DeviceStateEvent); a `: ping` comment every EVENTS_PING_S (15 s). No replay: on (re)connect re-read the lists. At most EVENTS_MAX_STREAMS streams in all and EVENTS_MAX_STREAMS_PER_PRINCIPAL per user or token (429 with Retry-After beyond).',
      responses: {
        '200': {
          description: 'The stream',
          content: {
            'text/event-stream': {
              schema: z.union([alertEvent, commandEvent, deviceEvent]).meta({
                description: "The JSON of one event's `data:` line",
              }),
            },
          },
        },
        '429': {
          description: 'Too many streams open',
          content: { 'application/problem+json': { schema: z.unknown() } },
        },
      },
    },
  },
};
