import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Counters } from './counters.ts';

export interface MetricsSources {
  counters: Counters;
  journalLines: () => number;
  mqttClients: () => number;
  devices: () => number;
  alertsOpen: () => Promise<number>;
}

/** Cumulative counts kept by `Counters`, exposed under Prometheus names. */
const counted: [name: string, counter: string, help: string][] = [
  ['city_mqtt_messages_received_total', 'messages_received', 'MQTT messages from gateways'],
  ['city_readings_accepted_total', 'readings_accepted', 'Readings validated and journaled'],
  ['city_events_accepted_total', 'events_accepted', 'Device events validated and journaled'],
  ['city_dead_letters_total', 'dead_letters', 'Rejected messages, readings and events kept as dead letters'],
  [
    'city_dead_letters_dropped_total',
    'dead_letters_dropped',
    'Dead letters not kept: their gateway was over DEAD_LETTER_QUOTA_BYTES or their tenant over its deadLetterBytes',
  ],
  [
    'city_dead_letter_bytes_dropped_total',
    'dead_letter_bytes_dropped',
    'Bytes of the dead letters not kept for a quota',
  ],
  [
    'city_mqtt_publish_tenant_rate_limited_total',
    'mqtt_publish_tenant_rate_limited',
    'Publishes refused because their tenant was over its messagesPerSecond quota (they would have waited more than 5 s)',
  ],
  [
    'city_mqtt_publish_tenant_rate_held_total',
    'mqtt_publish_tenant_rate_held',
    'Publishes over their tenant messagesPerSecond quota that waited their turn (up to 5 s)',
  ],
  [
    'city_devices_over_quota_total',
    'devices_over_quota',
    "Devices refused for their tenant's devices quota: fleet-file devices not loaded, readings or events not learned",
  ],
  [
    'city_gateways_over_quota_total',
    'gateways_over_quota',
    "Gateways refused for their tenant's gateways quota: fleet-file gateways not loaded, connections refused",
  ],
  [
    'city_duplicate_batches_total',
    'duplicate_batches',
    'Redelivered batches recognised and not applied again',
  ],
  [
    'city_mqtt_publish_waited_for_room_total',
    'mqtt_publish_waited_for_room',
    "Publishes that waited, before they were applied, for their tenant's journal to take messages again (full or failing)",
  ],
  [
    'city_mqtt_publish_read_ahead_total',
    'mqtt_publish_read_ahead',
    'Publishes whose gateway was read on while their PUBACK waited for the journal (MQTT_READ_AHEAD)',
  ],
  ['city_mqtt_publish_refused_total', 'mqtt_publish_refused', 'Publishes refused by the ACL'],
  ['city_mqtt_auth_refused_total', 'mqtt_auth_refused', 'Connections refused by authentication'],
  [
    'city_mqtt_auth_refused_certificate_total',
    'mqtt_auth_refused_certificate',
    'Connections refused for their client certificate (missing, for another gateway, not the pinned one)',
  ],
  [
    'city_mqtt_tls_handshakes_refused_total',
    'mqtt_tls_handshakes_refused',
    'TLS handshakes refused (no client certificate, an untrusted or expired one, not TLS)',
  ],
  [
    'city_mqtt_closed_while_held_total',
    'mqtt_closed_while_held',
    'Connections closed by the keep-alive while a publish waited for storage (its PINGREQs could not be read aside)',
  ],
  [
    'city_mqtt_credential_disconnects_total',
    'mqtt_credential_disconnects',
    'Connections closed because their gateway credential was revoked or replaced',
  ],
  [
    'city_credentials_file_refused_total',
    'credentials_file_refused',
    'Versions of the gateway credentials file refused as invalid (the previous one stays in force)',
  ],
  [
    'city_journal_append_errors_total',
    'journal_append_errors',
    'Failed journal commits (disk full, read-only, I/O errors): retried, nothing acknowledged meanwhile',
  ],
  [
    'city_journal_remove_errors_total',
    'journal_remove_errors',
    'Failed removals of drained lines from the journal (retried)',
  ],
  ['city_influx_points_written_total', 'influx_points_written', 'Points InfluxDB confirmed'],
  ['city_influx_write_errors_total', 'influx_write_errors', 'Failed InfluxDB writes (retried)'],
  ['city_influx_write_seconds_sum', 'influx_write_seconds_sum', 'Total time spent in InfluxDB writes'],
  ['city_influx_write_seconds_count', 'influx_write_seconds_count', 'Number of InfluxDB writes timed'],
  ['city_commands_created_total', 'commands_created', 'Commands created'],
  ['city_rules_evaluated_total', 'rules_evaluated', 'Rule evaluations (per device and rule, or per group)'],
  ['city_alerts_fired_total', 'alerts_fired', 'Alerts opened'],
  ['city_alerts_resolved_total', 'alerts_resolved', 'Alerts resolved by their rules'],
];

/**
 * A registry behind `GET /metrics`: the platform's counts from `sources`, with the process's own
 * metrics (the installation's registry) or without them (a tenant's).
 */
export function createMetricsRegistry(sources: MetricsSources, options = { process: true }): Registry {
  const registry = new Registry();
  if (options.process) collectDefaultMetrics({ register: registry, prefix: 'city_cloud_' });
  for (const [name, key, help] of counted) {
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(sources.counters.get(key));
      },
    });
  }
  const gauge = (name: string, help: string, read: () => number | Promise<number>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(await read());
      },
    });
  gauge('city_journal_lines', 'Points waiting in the ingest journal for InfluxDB', sources.journalLines);
  gauge('city_mqtt_clients', 'Connected MQTT clients', sources.mqttClients);
  gauge('city_devices_registered', 'Devices in the registry', sources.devices);
  gauge('city_alerts_open', 'Alerts firing or acknowledged', sources.alertsOpen);
  return registry;
}
