import { describe, expect, it } from 'vitest';
import { acceptedOfLines, parseLine } from '../../../../cloud/cluster/journal-lines.ts';
import { eventPoint, readingLine } from '../../../../cloud/ingest/points.ts';
import { toLine } from '../../../../cloud/storage/point-writer.ts';
import type { DeviceEvent, Reading } from '../../../../shared/kinds/index.ts';

const placement = { gatewayId: 'gw-1', district: 'Staré Město, jih' } as never;

describe('the readings and events of a journal message', () => {
  it('come back from the lines ingestion wrote, with their gateway', () => {
    const reading = {
      deviceId: 'sl-1',
      kind: 'streetlight',
      ts: '2026-11-30T10:00:00.123Z',
      metrics: { powerState: 'on', dimmingLevel: 0.5, activePower: 61.25 },
    } as unknown as Reading;
    const event = {
      deviceId: 'ev-1',
      kind: 'evCharger',
      type: 'sessionEnded',
      ts: '2026-11-30T10:00:01.000Z',
      values: { sessionEnergy: 12.5 },
    } as unknown as DeviceEvent;
    const text = [
      readingLine(reading, placement),
      'gateway_health,gateway=gw-1 uptime=5 1764496800000',
      toLine(eventPoint(event, placement)),
    ].join('\n');
    expect(acceptedOfLines(text)).toEqual({
      readings: [{ gatewayId: 'gw-1', reading }],
      events: [{ gatewayId: 'gw-1', event }],
    });
  });

  it('leave out an event without values the values field', () => {
    const event = {
      deviceId: 'sl-1',
      kind: 'streetlight',
      type: 'lampFault',
      ts: '2026-11-30T10:00:00.000Z',
    };
    const { events } = acceptedOfLines(toLine(eventPoint(event as DeviceEvent, placement)));
    expect(events).toEqual([{ gatewayId: 'gw-1', event }]);
  });

  it('skip lines without device or gateway and lines that are not line protocol', () => {
    const text = [
      'streetlight,gateway=gw-1 voltage=230 1',
      'streetlight,device=a voltage=230 1',
      'streetlight,device=a,gateway=g voltage=230',
      'streetlight,device=a,gateway=g voltage 1',
      'streetlight,device=a,gateway=g voltage=abc 1',
      ',device=a,gateway=g voltage=1 1',
      '',
    ].join('\n');
    expect(acceptedOfLines(text)).toEqual({ readings: [], events: [] });
  });
});

describe('a line of line protocol', () => {
  it('reads escaped names, tags and strings', () => {
    expect(
      parseLine('we\\ ir\\,d,t\\=ag=a\\ b\\,c,x=y s="q\\"u\\\\o, te",b=T,f=false,i=-3i,n=1.5e3 42'),
    ).toEqual({
      measurement: 'we ir,d',
      tags: { 't=ag': 'a b,c', x: 'y' },
      fields: { s: 'q"u\\o, te', b: true, f: false, i: -3, n: 1500 },
      ms: 42,
    });
  });

  it('reads every spelling of a boolean', () => {
    const fields = parseLine('m a=t,b=true,c=True,d=TRUE,e=f,g=False,h=FALSE,k=F 1')?.fields;
    expect(fields).toEqual({ a: true, b: true, c: true, d: true, e: false, g: false, h: false, k: false });
  });

  it('is refused without fields, with an empty field value or a time that is not an integer', () => {
    expect(parseLine('m 1')).toBeUndefined();
    expect(parseLine('m a= 1')).toBeUndefined();
    expect(parseLine('m a=1 1.5')).toBeUndefined();
    expect(parseLine('m,t a=1 1')).toBeUndefined();
    expect(parseLine('m =1 1')).toBeUndefined();
  });
});
