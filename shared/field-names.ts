import { z } from 'zod';
import {
  commandMessage,
  commandResult,
  configStatus,
  eventBatch,
  gatewayConfig,
  gatewayHeartbeat,
  gatewayStatus,
  telemetryBatch,
} from './messages.ts';

/** Every property name of a JSON Schema, at any depth (properties, items, unions, definitions). */
function propertyNames(schema: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) propertyNames(s, into);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value && typeof value === 'object')
        for (const name of Object.keys(value)) into.add(name);
      propertyNames(value, into);
    }
  }
  return into;
}

/**
 * The field names of the MQTT contract (every message in both directions, every kind): the only
 * JSON keys that are repeated back from a payload that was refused (in a dead letter's shape or a
 * rejection message). Any other key is data the sender chose, and a key can be personal data (a
 * device that sends `{"AB:CD:EF:12:34:56": 1}`), so it is counted, never repeated.
 */
export const contractFieldNames: ReadonlySet<string> = propertyNames(
  [
    telemetryBatch,
    eventBatch,
    gatewayStatus,
    gatewayHeartbeat,
    commandResult,
    configStatus,
    commandMessage,
    gatewayConfig,
  ].map((schema) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })),
  new Set(),
);
