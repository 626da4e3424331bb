#!/bin/bash
# Runs once, when the influxdb:2.7 container initialises an empty volume (after `influx setup`):
# maps the bucket to an InfluxQL database of the same name, so that /query (InfluxQL), Grafana's
# InfluxQL datasource and v1-style reads work against InfluxDB 2.x. The image's entrypoint exports
# DOCKER_INFLUXDB_INIT_BUCKET_ID and points the influx CLI at the init server with the admin token.
set -euo pipefail
bucket_id="${DOCKER_INFLUXDB_INIT_BUCKET_ID:-}"
if [ -z "${bucket_id}" ]; then
  bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)
fi
influx v1 dbrp create \
  --org "${DOCKER_INFLUXDB_INIT_ORG}" \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --bucket-id "${bucket_id}" \
  --default
