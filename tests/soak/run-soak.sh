#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Soak: wirescope-gateway with demo traffic, and the soak driver holding 1 000 connections for
# 30 minutes with churn (10 % reconnect every minute). Prints one line a minute with the
# resident memory of both processes; after warm-up both series should stay flat.
# Usage: run-soak.sh [--minutes M] [--connections N] [--churn P]   (BUILD_DIR=_build/soak)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${BUILD_DIR:-$top/_build/soak}
minutes=30
connections=1000
churn=10
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --churn) churn=$2; shift 2 ;;
    *) echo "run-soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -d "$dir" ]; then
  meson setup "$dir" "$top" -Dapp=false -Dbenchmarks=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" -j2 tests/soak/soak-driver src/gateway/wirescope-gateway >/dev/null

# Each connection needs a descriptor on both sides.
ulimit -n $(( connections * 2 + 256 )) 2>/dev/null || true
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
work=$(mktemp -d)
trap 'kill "$gateway" 2>/dev/null || true; wait "$gateway" 2>/dev/null || true; rm -rf "$work"' EXIT
printf '%s' "$secret" >"$work/secret"
"$dir/src/gateway/wirescope-gateway" --listen 127.0.0.1:0 --demo --seed 1 \
  --secret-file "$work/secret" >"$work/gateway.out" 2>"$work/gateway.err" &
gateway=$!
for _ in $(seq 100); do
  grep -q 'listening on' "$work/gateway.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'ws://[^ ]*' "$work/gateway.out" | head -n 1)
[ -n "$url" ] || { echo "run-soak.sh: the gateway did not start" >&2; cat "$work/gateway.err" >&2; exit 1; }

echo "soak: $connections connections, $minutes min, churn $churn %/min, gateway pid $gateway"
"$dir/tests/soak/soak-driver" --url "$url" --secret "$secret" --connections "$connections" \
  --minutes "$minutes" --churn "$churn" --gateway-pid "$gateway"
