import type { Point } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import type { DeviceEvent, Reading } from '../../shared/kinds/index.ts';
import type { UplinkChannel } from '../../shared/topics.ts';
import type { DeadLetterStore } from '../dead-letters/store.ts';
import type { DeviceRegistry } from '../registry/registry.ts';
import { type Decoded, decodeMessage, type Rejection } from './decode.ts';
import { eventPoint, heartbeatPoint, readingPoint } from './points.ts';
import type { Counters } from './stats.ts';

export interface PointSink {
  write(points: Point[]): void;
}

export interface IngestOptions {
  registry: DeviceRegistry;
  deadLetters: DeadLetterStore;
  sink: PointSink;
  counters: Counters;
  log: Logger;
  now: () => Date;
  maxAgeMs: number;
  maxSkewMs: number;
}

export interface UplinkMessage {
  topic: string;
  gatewayId: string;
  channel: UplinkChannel;
  payload: Buffer;
}

/**
 * Turns one uplink message into registry updates and InfluxDB points. Bad input never throws:
 * every rejected message, reading or event is counted, logged and kept as a dead letter, and the
 * accepted items beside it still go through.
 */
export class Ingestor {
  private readonly options: IngestOptions;

  constructor(options: IngestOptions) {
    this.options = options;
  }

  handle(message: UplinkMessage): void {
    const { counters, now, maxAgeMs, maxSkewMs } = this.options;
    const receivedAt = now();
    counters.add('messages_received');
    const decoded = decodeMessage(message.channel, message.gatewayId, message.payload, {
      now: receivedAt,
      maxAgeMs,
      maxSkewMs,
    });
    const rejections = [...decoded.rejections, ...this.apply(message.gatewayId, decoded, receivedAt)];
    if (rejections.length > 0) this.deadLetter(message, rejections, receivedAt);
  }

  /** Stores what was accepted; returns the items the registry refused. */
  private apply(gatewayId: string, decoded: Decoded, receivedAt: Date): Rejection[] {
    const { registry, sink, counters, log } = this.options;
    switch (decoded.channel) {
      case 'telemetry': {
        const { accepted, rejections } = this.placeAll(gatewayId, decoded.readings, readingPoint);
        registry.recordReadings(accepted.map(([reading]) => reading));
        sink.write(accepted.map(([, point]) => point));
        counters.add('readings_accepted', accepted.length);
        return rejections;
      }
      case 'events': {
        const { accepted, rejections } = this.placeAll(gatewayId, decoded.events, eventPoint);
        sink.write(accepted.map(([, point]) => point));
        counters.add('events_accepted', accepted.length);
        for (const [event] of accepted) log.info({ gatewayId, event }, 'device event');
        return rejections;
      }
      case 'heartbeat':
        registry.recordHeartbeat(decoded.heartbeat);
        sink.write([heartbeatPoint(decoded.heartbeat, receivedAt)]);
        counters.add('heartbeats_accepted');
        return [];
      case 'status':
        registry.recordStatus(decoded.status);
        log.info({ gatewayId, state: decoded.status.state }, 'gateway status');
        return [];
      case 'command-results':
        // Command tracking arrives with the commands feature; until then results are logged.
        log.info({ gatewayId, result: decoded.result }, 'command result');
        return [];
      case 'rejected':
        return [];
    }
  }

  private placeAll<T extends Reading | DeviceEvent>(
    gatewayId: string,
    items: T[],
    toPoint: (item: T, placement: { gatewayId: string; district: string }) => Point,
  ): { accepted: [T, Point][]; rejections: Rejection[] } {
    const accepted: [T, Point][] = [];
    const rejections: Rejection[] = [];
    items.forEach((item, index) => {
      const placement = this.options.registry.place(gatewayId, item);
      if ('reason' in placement) rejections.push({ ...placement, index });
      else accepted.push([item, toPoint(item, placement)]);
    });
    return { accepted, rejections };
  }

  private deadLetter(message: UplinkMessage, rejections: Rejection[], receivedAt: Date): void {
    const { deadLetters, counters, log } = this.options;
    for (const r of rejections) counters.add(`rejected_${r.reason}`);
    counters.add('dead_letters', rejections.length);
    log.warn(
      {
        topic: message.topic,
        gatewayId: message.gatewayId,
        rejections: rejections.slice(0, 5),
        count: rejections.length,
      },
      'rejected input kept as dead letter',
    );
    deadLetters.add(
      rejections.map((r) => ({
        receivedAt,
        topic: message.topic,
        gatewayId: message.gatewayId,
        reason: r.reason,
        message: r.message,
        index: r.index,
        payload: message.payload,
      })),
    );
  }
}
