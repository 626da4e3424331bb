#!/bin/bash
# Runs once when the influxdb:2.7 container initialises: maps the bucket to an InfluxQL database of
# the same name, so that /query (InfluxQL) and v1-style reads work against InfluxDB 2.x.
set -euo pipefail
bucket_id=$(influx bucket list --name "${DOCKER_INFLUXDB_INIT_BUCKET}" --hide-headers | cut -f1)
influx v1 dbrp create \
  --db "${DOCKER_INFLUXDB_INIT_BUCKET}" \
  --rp autogen \
  --bucket-id "${bucket_id}" \
  --default
