/**
 * The InfluxDB measurements the cloud writes besides the readings (which go to one measurement per
 * kind, named after the kind). Writers and readers (dashboards, Grafana) take the names from here.
 */
export const eventMeasurement = 'device_event';
export const gatewayHealthMeasurement = 'gateway_health';
export const deviceStatusMeasurement = 'device_status';
export const platformStatsMeasurement = 'platform_stats';
export const alertEventMeasurement = 'alert_event';
/** A gateway's cellular uplink from its heartbeat (tags gateway, district, zone, technology): the coverage layer. */
export const gatewayLinkMeasurement = 'gateway_link';
