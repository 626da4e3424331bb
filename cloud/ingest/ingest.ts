import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { DeviceEvent, Reading } from '../../shared/kinds/index.ts';
import type { CommandResult } from '../../shared/messages.ts';
import type { UplinkChannel } from '../../shared/topics.ts';
import type { DeadLetterIntake } from '../dead-letters/intake.ts';
import type { Rejection } from '../dead-letters/rejection.ts';
import type { Counters } from '../monitoring/counters.ts';
import type { DevicePlacement } from '../registry/placement.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import type { Journal } from '../storage/journal-contract.ts';
import { toLine } from '../storage/point-writer.ts';
import { type Decoded, decodeMessage } from './decode.ts';
import { eventPoint, gatewayLinkPoint, heartbeatPoint, readingLine } from './points.ts';

export interface IngestOptions {
  registry: DeviceRegistry;
  /** Turns what was rejected into a dead letter (shape and hash, not values). */
  deadLetters: Pick<DeadLetterIntake, 'rejected'>;
  journal: Journal;
  counters: Counters;
  log: Logger;
  now: () => Date;
  maxAgeMs: number;
  maxSkewMs: number;
  onCommandResult(gatewayId: string, result: CommandResult): void;
  /** Accepted readings and events, after the registry recorded them (the rules engine listens). */
  onAccepted(accepted: { readings: Reading[]; events: DeviceEvent[] }): void;
}

export interface UplinkMessage {
  topic: string;
  gatewayId: string;
  channel: UplinkChannel;
  payload: Buffer;
}

/**
 * Turns one uplink message into registry updates and journaled InfluxDB points. The returned promise
 * resolves once what was accepted is durable (on disk in the journal): only then is the message
 * acknowledged. Bad input never rejects: every rejected message, reading or event is counted, logged
 * and kept as a dead letter, and the accepted items beside it still go through. A batch seen before
 * (a redelivery) is acknowledged without being applied again.
 */
export class Ingestor {
  private readonly options: IngestOptions;

  constructor(options: IngestOptions) {
    this.options = options;
  }

  async handle(message: UplinkMessage): Promise<void> {
    await this.accept(message);
  }

  /**
   * What `handle` does up to its wait for the disk, in a function of its own: a message's parsed
   * payload and lines end with it, instead of living on in the awaiting frame until the append is
   * synced (long enough to outlive young-generation collections and burden the old generation).
   */
  private accept(message: UplinkMessage): Promise<unknown> | undefined {
    const { counters, now, maxAgeMs, maxSkewMs, journal } = this.options;
    const receivedAt = now();
    counters.add('messages_received');
    const decoded = decodeMessage(message.channel, message.gatewayId, message.payload, {
      now: receivedAt,
      maxAgeMs,
      maxSkewMs,
    });
    // The journal keeps a digest of the batch id, not the id: equality is all redelivery needs, and a
    // batch id is text the device chose.
    const key = 'batchId' in decoded ? batchKey(message.gatewayId, decoded.batchId) : undefined;
    const original = key ? journal.seen(key) : undefined;
    if (original) {
      counters.add('duplicate_batches');
      return original;
    }
    const { lines, rejections } = this.apply(message.gatewayId, decoded, receivedAt);
    // Both start before the first await, so a redelivery arriving meanwhile finds the batch key.
    const kept =
      decoded.rejections.length + rejections.length > 0
        ? this.deadLetter(message, [...decoded.rejections, ...rejections])
        : undefined;
    const appended = lines.length > 0 || key ? journal.append({ lines, key }) : undefined;
    return kept && appended ? Promise.all([kept, appended]) : (kept ?? appended);
  }

  /** Applies what was accepted; returns its points as lines and the items the registry refused. */
  private apply(
    gatewayId: string,
    decoded: Decoded,
    receivedAt: Date,
  ): { lines: string[]; rejections: Rejection[] } {
    const { registry, counters, log } = this.options;
    switch (decoded.channel) {
      case 'telemetry': {
        const { times } = decoded;
        const { accepted, lines, rejections } = this.placeAll(gatewayId, decoded.readings, (r, at, i) =>
          readingLine(r, at, times[i]),
        );
        registry.recordReadings(accepted);
        this.options.onAccepted({ readings: accepted, events: [] });
        counters.add('readings_accepted', accepted.length);
        return { lines, rejections };
      }
      case 'events': {
        const { accepted, lines, rejections } = this.placeAll(gatewayId, decoded.events, (event, placement) =>
          toLine(eventPoint(event, placement)),
        );
        counters.add('events_accepted', accepted.length);
        this.options.onAccepted({ readings: [], events: accepted });
        // Ids and the event's code only: its other fields are values, and logs never hold values.
        for (const { deviceId, kind, type } of accepted)
          log.info({ gatewayId, deviceId, kind, type }, 'device event');
        return { lines, rejections };
      }
      case 'heartbeat': {
        registry.recordHeartbeat(decoded.heartbeat);
        counters.add('heartbeats_accepted');
        const health = heartbeatPoint(decoded.heartbeat, receivedAt);
        // The uplink, when the heartbeat has one, on the map cell of the gateway's place.
        const link = gatewayLinkPoint(decoded.heartbeat, registry.getGateway(gatewayId), receivedAt);
        return { lines: (link ? [health, link] : [health]).map((p) => toLine(p)), rejections: [] };
      }
      case 'status':
        registry.recordStatus(decoded.status);
        log.info({ gatewayId, state: decoded.status.state }, 'gateway status');
        return { lines: [], rejections: [] };
      case 'config-status':
        registry.recordConfigStatus(decoded.status);
        log.info(
          { gatewayId, version: decoded.status.version, status: decoded.status.status },
          'gateway configuration',
        );
        return { lines: [], rejections: [] };
      case 'command-results':
        this.options.onCommandResult(gatewayId, decoded.result);
        return { lines: [], rejections: [] };
      case 'rejected':
        return { lines: [], rejections: [] };
    }
  }

  private placeAll<T extends Reading | DeviceEvent>(
    gatewayId: string,
    items: T[],
    serialise: (item: T, placement: DevicePlacement, index: number) => string,
  ): { accepted: T[]; lines: string[]; rejections: Rejection[] } {
    const accepted: T[] = [];
    const lines: string[] = [];
    const rejections: Rejection[] = [];
    items.forEach((item, index) => {
      const placement = this.options.registry.place(gatewayId, item);
      if ('reason' in placement) {
        rejections.push({ ...placement, index });
        return;
      }
      accepted.push(item);
      lines.push(serialise(item, placement, index));
    });
    return { accepted, lines, rejections };
  }

  private deadLetter(message: UplinkMessage, rejections: Rejection[]): Promise<void> {
    const { deadLetters, counters, log } = this.options;
    for (const r of rejections) counters.add(`rejected_${r.reason}`);
    counters.add('dead_letters', rejections.length);
    log.warn(
      {
        topic: message.topic,
        gatewayId: message.gatewayId,
        bytes: message.payload.length,
        // Reasons, item indices and messages that never quote a value (decode.ts).
        rejections: rejections.slice(0, 5),
        count: rejections.length,
      },
      'rejected input kept as dead letter',
    );
    return deadLetters.rejected({
      topic: message.topic,
      gatewayId: message.gatewayId,
      payload: message.payload,
      rejections,
    });
  }
}

/** What the journal remembers of a batch: a SHA-256 of its gateway and batch id (base64url). */
export function batchKey(gatewayId: string, batchId: string): string {
  return createHash('sha256').update(`${gatewayId}/${batchId}`).digest('base64url');
}
