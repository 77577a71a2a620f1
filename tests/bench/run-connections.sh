#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Many concurrent authenticated connections in one manager against the real gateway (a separate
# process, rate limits lifted): client RSS per connection above the baseline and idle CPU with
# heartbeats only.
#
# Usage: tests/bench/run-connections.sh BUILDDIR [COUNT] [HEARTBEAT_MS] [IDLE_SECONDS]
set -euo pipefail

builddir=${1:?usage: run-connections.sh BUILDDIR [COUNT] [HEARTBEAT_MS] [IDLE_SECONDS]}
count=${2:-1000}
heartbeat=${3:-1000}
idle=${4:-30}
gateway_exe="$builddir/src/gateway/wirescope-gateway"
bench="$builddir/tests/bench/bench-connections"

for exe in "$gateway_exe" "$bench"; do
  [ -x "$exe" ] || { echo "missing $exe: build first" >&2; exit 1; }
done

# Both processes need a descriptor per connection and then some.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

WIRESCOPE_GATEWAY_SECRET=$(head -c 24 /dev/urandom | base64)
export WIRESCOPE_GATEWAY_SECRET
out=$(mktemp)
"$gateway_exe" --listen 127.0.0.1:0 --no-rate-limits >"$out" 2>/dev/null &
gateway=$!
trap 'kill $gateway 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q 'listening on' "$out" && break
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(ws[s]*:\/\/[^ ]*\).*/\1/p' "$out" | head -n1)
[ -n "$url" ] || { echo "the gateway did not start" >&2; exit 1; }

"$bench" --gateway "$url" --count "$count" --heartbeat-ms "$heartbeat" --idle-seconds "$idle"
