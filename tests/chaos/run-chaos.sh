#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The full chaos run: 10 000 publishes against wirescope-gateway --faults under the seeded fault
# schedule (tests/chaos/chaos-run.c). Prints the duration, the reconnects, the re-sends, the
# duplicates suppressed by the gateway and the pass/fail checks.
# Usage: run-chaos.sh [--publishes N] [--seed S] [--only drop,stall,…]   (BUILD_DIR=_build/chaos)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${BUILD_DIR:-$top/_build/chaos}

if [ ! -d "$dir" ]; then
  meson setup "$dir" "$top" -Dapp=false -Dbenchmarks=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" -j2 tests/chaos/chaos-run src/gateway/wirescope-gateway >/dev/null

args=("$@")
[[ " ${args[*]-} " == *" --publishes "* ]] || args+=(--publishes 10000)
[[ " ${args[*]-} " == *" --seed "* ]] || args+=(--seed 42)
exec "$dir/tests/chaos/chaos-run" --gateway "$dir/src/gateway/wirescope-gateway" "${args[@]}"
