#!/usr/bin/env bash
# The one-box install under a real systemd as PID 1: boots this machine's own Debian root in a
# systemd-nspawn container (root a tmpfs, /usr from the host, no network: npm works from a copy of
# the npm cache), runs scripts/install.sh from this checkout in it, and checks what a town relies on:
# the cloud ready, systemd restarting it after SIGKILL, the health timer active, and a second run of
# install.sh changing nothing. Needs root and systemd-nspawn (Debian: systemd-container); about 3 min.
#
#   npm run check:systemd
set -euo pipefail
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '== systemd check: %s (%s)\n' "$*" "$(date -u +%H:%M:%S)"; }
fail() {
  say "FAILED: $*"
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "needs root (it boots a container)"
command -v systemd-nspawn >/dev/null || fail "systemd-nspawn is missing: apt-get install systemd-container"
[ -d "$HOME/.npm" ] || fail "no npm cache in $HOME/.npm: run npm ci once first (the container has no network)"

work=$(mktemp -d /tmp/city-systemd-check-XXXXXX)
machine="city-check-$$"
nspawn_pid=
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill "$nspawn_pid"
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

say "copying the npm cache (the container installs offline)"
# Its content and index only: they are only ever added to, while _cacache/tmp holds files another npm
# running beside this check (a test installing a package) creates and removes as cp reads the folder.
mkdir -p "$work/npm/_cacache"
for part in index-v5 content-v2; do cp -a "$HOME/.npm/_cacache/$part" "$work/npm/_cacache/"; done

say "booting systemd in a container ($machine)"
# --keep-unit --register=no: the host's PID 1 is not systemd, so there is no bus to register with.
# The checkout's parent folder is bound read-only: a git worktree's .git points into it.
systemd-nspawn --keep-unit --register=no --directory=/ --volatile=yes --private-network \
  --machine="$machine" --console=passive \
  --bind-ro="$(dirname "$source_dir")" --bind="$work/npm:/root/.npm" \
  -b -- systemd.firstboot=off >"$work/console.log" 2>&1 &
nspawn_pid=$!
leader=
for _ in $(seq 1 60); do
  leader=$(pgrep -P "$nspawn_pid" | head -1 || true)
  if [ -n "$leader" ] && [ "$(cat "/proc/$leader/comm" 2>/dev/null)" = systemd ]; then break; fi
  sleep 0.5
done
[ -n "$leader" ] || fail "the container did not start: $(tail -5 "$work/console.log")"
inside() { nsenter --target "$leader" --mount --uts --ipc --net --pid -- env PATH=/usr/sbin:/usr/bin:/sbin:/bin npm_config_offline=true "$@"; }
for _ in $(seq 1 60); do
  inside systemctl is-system-running 2>/dev/null | grep -qE 'running|degraded|starting' && break
  sleep 0.5
done
say "systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) runs as PID 1 in the container"

say "scripts/install.sh"
inside bash "$source_dir/scripts/install.sh" >"$work/install.log" 2>&1 || {
  tail -30 "$work/install.log"
  fail "install.sh failed"
}
tail -3 "$work/install.log"
inside systemctl is-active -q platform-influxd.service platform-cloud.service platform-cloud-health.timer ||
  fail "a unit is not active: $(inside systemctl --no-pager status platform-cloud platform-influxd | tail -20)"

ready() { inside curl -sf -o /dev/null http://127.0.0.1:8080/health/ready; }
say "the cloud killed with SIGKILL: systemd restarts it"
before=$(inside systemctl show -p NRestarts --value platform-cloud)
inside systemctl kill -s KILL platform-cloud
for _ in $(seq 1 120); do
  if [ "$(inside systemctl show -p NRestarts --value platform-cloud)" -gt "$before" ] && ready; then break; fi
  sleep 0.5
done
ready || fail "the cloud is not ready after its restart"
say "restarted by systemd and ready (NRestarts $(inside systemctl show -p NRestarts --value platform-cloud))"

say "install.sh again: nothing to change"
inside bash "$source_dir/scripts/install.sh" >"$work/again.log" 2>&1 || fail "the second install.sh failed"
if grep -q 'running:' "$work/again.log"; then
  grep 'running:' "$work/again.log"
  fail "the second install.sh changed something"
fi
say "passed"
