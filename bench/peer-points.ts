/**
 * What the peer (Node-RED's function node) and the naive bridge do with a telemetry batch
 * (shared/messages.ts `TelemetryBatch`): one InfluxDB point per reading, measurement = kind, tags
 * device, gateway and kind, one field per metric, the device timestamp in ms. No validation: a
 * reading without `kind`, `deviceId` or `ts` becomes whatever InfluxDB makes of it, as in the flows
 * cities assemble. The cloud also tags the district from its registry; these have no registry.
 *
 * Written in plain JavaScript inside the function (no types, no imports) because its source is
 * also the body of Node-RED's function node (`functionNodeBody`).
 */
export interface PeerPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  /** Milliseconds since the epoch. */
  timestamp: number;
}

export function batchToPoints(batch: unknown): PeerPoint[] {
  const b = typeof batch === 'string' ? JSON.parse(batch) : batch;
  const points = [];
  for (const r of b.readings) {
    points.push({
      measurement: r.kind,
      tags: { device: r.deviceId, gateway: b.gatewayId, kind: r.kind },
      fields: r.metrics,
      timestamp: Date.parse(r.ts),
    });
  }
  return points;
}

/** The function node's code: `msg.payload` (the parsed batch, `mqtt in` with datatype json) → points. */
export const functionNodeBody = `${batchToPoints.toString()}
msg.payload = batchToPoints(msg.payload);
return msg;`;
