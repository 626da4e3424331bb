import { type DeviceEvent, kinds, type MetricValue, type Reading } from '../../shared/kinds/index.ts';
import { eventMeasurement } from '../storage/measurements.ts';

type FieldValue = number | boolean | string;

interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  ms: number;
}

/** What a journal message carries for the rules: its readings and events, each with its gateway. */
export interface JournalAccepted {
  readings: { gatewayId: string; reading: Reading }[];
  events: { gatewayId: string; event: DeviceEvent }[];
}

/**
 * The readings and events in a journal message (InfluxDB line protocol as cloud/ingest/points.ts
 * writes it: measurement = kind, tags device/district/gateway/kind, one field per metric; events in
 * `device_event` with a `type` tag, a `count` field and their values), for the node that evaluates
 * the tenant's rules in cluster mode. Other lines (alert transitions, gateway health, snapshots) and
 * lines it cannot read are left out: they concern no rule.
 */
export function acceptedOfLines(text: string): JournalAccepted {
  const accepted: JournalAccepted = { readings: [], events: [] };
  for (const line of text.split('\n')) {
    const parsed = parseLine(line);
    const deviceId = parsed?.tags.device;
    const gatewayId = parsed?.tags.gateway;
    if (!parsed || !deviceId || !gatewayId) continue;
    const ts = new Date(parsed.ms).toISOString();
    if (parsed.measurement in kinds) {
      const kind = parsed.measurement;
      const reading = { deviceId, kind, ts, metrics: parsed.fields as Record<string, MetricValue> };
      accepted.readings.push({ gatewayId, reading: reading as Reading });
    } else if (parsed.measurement === eventMeasurement && parsed.tags.kind && parsed.tags.type) {
      const { count: _count, ...values } = parsed.fields;
      const event = { deviceId, kind: parsed.tags.kind, type: parsed.tags.type, ts };
      const withValues = Object.keys(values).length > 0 ? { ...event, values } : event;
      accepted.events.push({ gatewayId, event: withValues as DeviceEvent });
    }
  }
  return accepted;
}

/** Reads up to an unescaped character of `stops`; a backslash takes the next character as it is. */
function readUntil(line: string, from: number, stops: string): { text: string; end: number } {
  let text = '';
  let i = from;
  while (i < line.length && !stops.includes(line[i] as string)) {
    if (line[i] === '\\' && i + 1 < line.length) i++;
    text += line[i];
    i++;
  }
  return { text, end: i };
}

function readQuoted(line: string, from: number): { text: string; end: number } {
  let text = '';
  let i = from + 1;
  while (i < line.length && line[i] !== '"') {
    if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
    text += line[i];
    i++;
  }
  return { text, end: i + 1 };
}

function fieldValue(raw: string): FieldValue | undefined {
  if (raw === 'T' || raw === 't' || raw === 'true' || raw === 'True' || raw === 'TRUE') return true;
  if (raw === 'F' || raw === 'f' || raw === 'false' || raw === 'False' || raw === 'FALSE') return false;
  const number = Number(/^-?\d+[iu]$/.test(raw) ? raw.slice(0, -1) : raw);
  return raw !== '' && Number.isFinite(number) ? number : undefined;
}

/** One line of line protocol, or undefined when it is not one. */
export function parseLine(line: string): ParsedLine | undefined {
  const head = readUntil(line, 0, ', ');
  if (head.text === '') return undefined;
  const tags: Record<string, string> = {};
  let i = head.end;
  while (line[i] === ',') {
    const key = readUntil(line, i + 1, '=, ');
    const value = readUntil(line, key.end + 1, ', ');
    if (line[key.end] !== '=') return undefined;
    tags[key.text] = value.text;
    i = value.end;
  }
  const fields: Record<string, FieldValue> = {};
  do {
    const key = readUntil(line, i + 1, '=, ');
    if (line[key.end] !== '=' || key.text === '') return undefined;
    if (line[key.end + 1] === '"') {
      const quoted = readQuoted(line, key.end + 1);
      fields[key.text] = quoted.text;
      i = quoted.end;
    } else {
      const raw = readUntil(line, key.end + 1, ', ');
      const value = fieldValue(raw.text);
      if (value === undefined) return undefined;
      fields[key.text] = value;
      i = raw.end;
    }
  } while (line[i] === ',');
  const ms = Number(line.slice(i + 1));
  if (line[i] !== ' ' || !Number.isSafeInteger(ms)) return undefined;
  return { measurement: head.text, tags, fields, ms };
}
