#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The receive benchmark: one connection receiving COUNT `message` frames of ~150 bytes from a
# local flooding server, measured as client CPU seconds (user + system, getrusage / cpuUsage) per
# 100 000 messages, for (a) the bare libsoup floor, (b) the Wirescope core and (c) Node.js on the
# npm `ws` package, in the same run, REPS times each, interleaved; prints the medians side by side.
#
# Usage: tests/bench/run-receive.sh BUILDDIR [REPS] [COUNT]
set -euo pipefail

builddir=${1:?usage: run-receive.sh BUILDDIR [REPS] [COUNT]}
reps=${2:-5}
count=${3:-200000}
here=$(cd "$(dirname "$0")" && pwd)
bench="$builddir/tests/bench"

for exe in bench-flood-server bench-receive-floor bench-receive-core; do
  [ -x "$bench/$exe" ] || { echo "missing $bench/$exe: build first" >&2; exit 1; }
done

have_node=0
if command -v node >/dev/null && command -v npm >/dev/null; then
  if [ ! -d "$here/node/node_modules/ws" ]; then
    (cd "$here/node" && npm install --no-audit --no-fund --silent) || true
  fi
  [ -d "$here/node/node_modules/ws" ] && have_node=1
fi
[ "$have_node" = 1 ] || echo "node or the ws package is not available: the Node column is skipped" >&2

out=$(mktemp)
"$bench/bench-flood-server" --count "$count" >"$out" &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do
  grep -q 'listening on' "$out" && break
  sleep 0.1
done
port=$(awk '/listening on/ {print $3}' "$out")
url="ws://127.0.0.1:$port/ws/chat/bench"

declare -a floor core nodejs ratio_core ratio_node
per100k () { awk -v s="$1" -v n="$count" 'BEGIN { printf "%.4f", s * 100000 / n }'; }
cpu_of () { sed -n 's/^cpu_s=\([0-9.]*\) messages=.*/\1/p'; }

for rep in $(seq "$reps"); do
  f=$("$bench/bench-receive-floor" "$url" "$count" | cpu_of)
  c=$("$bench/bench-receive-core" "$url" "$count" 2>/dev/null | cpu_of)
  floor+=("$(per100k "$f")")
  core+=("$(per100k "$c")")
  ratio_core+=("$(awk -v a="$c" -v b="$f" 'BEGIN { printf "%.3f", a / b }')")
  line="rep $rep: floor $(per100k "$f") s, core $(per100k "$c") s"
  if [ "$have_node" = 1 ]; then
    n=$(node "$here/node/bench-receive-node.js" "$url" "$count" | cpu_of)
    nodejs+=("$(per100k "$n")")
    ratio_node+=("$(awk -v a="$n" -v b="$f" 'BEGIN { printf "%.3f", a / b }')")
    line="$line, node $(per100k "$n") s"
  fi
  echo "$line (CPU per 100k messages)" >&2
done

median () { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%.4f", m }'; }
mf=$(median "${floor[@]}")
mc=$(median "${core[@]}")

echo
echo "Receive pipeline: $count message frames (~150 B), client CPU seconds per 100 000 messages"
echo "median of $reps runs"
# "per run": the median of each run's own ratio, steadier on a busy machine than the ratio of
# the medians, since a run's clients see the same load.
printf '%-28s %12s %12s %12s\n' "client" "CPU s/100k" "vs floor" "per run"
printf '%-28s %12s %12s %12s\n' "(a) libsoup floor (count)" "$mf" "1.00x" "1.00x"
printf '%-28s %12s %12s %12s\n' "(b) Wirescope core" "$mc" \
  "$(awk -v a="$mc" -v b="$mf" 'BEGIN { printf "%.2fx", a / b }')" "$(printf "%.2f" "$(median "${ratio_core[@]}")")x"
if [ "$have_node" = 1 ]; then
  mn=$(median "${nodejs[@]}")
  printf '%-28s %12s %12s %12s\n' "(c) Node.js ws + JSON.parse" "$mn" \
    "$(awk -v a="$mn" -v b="$mf" 'BEGIN { printf "%.2fx", a / b }')" "$(printf "%.2f" "$(median "${ratio_node[@]}")")x"
fi
echo "goal: core <= 1.50x floor; stretch: core <= node"
