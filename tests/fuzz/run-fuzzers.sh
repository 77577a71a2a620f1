#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a time or a number of
# runs. Usage: run-fuzzers.sh [-max_total_time=60 | -runs=10000000] [target...]
# Findings land in _build/fuzz/findings/; every crash becomes a regression test before its fix.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
limit=${1:--max_total_time=60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz-envelope fuzz-pattern fuzz-jwt fuzz-gateway-frame fuzz-client-frame)

dir="$top/_build/fuzz"
if [ ! -d "$dir" ]; then
  CC=clang meson setup "$dir" "$top" -Dapp=false -Dbenchmarks=false -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$dir" -j2 $(printf 'tests/fuzz/%s ' "${targets[@]}") >/dev/null

status=0
for t in "${targets[@]}"; do
  corpus_seed="$top/tests/fuzz/corpus/${t#fuzz-}"
  work="$dir/corpus/${t#fuzz-}"
  findings="$dir/findings/$t"
  mkdir -p "$work" "$findings"
  # These two keep a session (a connection) open across inputs on purpose, and what an input
  # leaves in it is freed by a later one, so libFuzzer's per-input leak check would see a leak
  # in most inputs and run LeakSanitizer for each (it gives up after a thousand); their leaks are
  # checked at exit here and by the sanitizer and valgrind test runs.
  extra=()
  case "$t" in fuzz-gateway-frame|fuzz-client-frame) extra=(-detect_leaks=0) ;; esac
  # One log per run: two runs of a target at once (CI and a long run) keep their own.
  log="$dir/$t.$$.log"
  echo "=== $t ($limit)"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
       "$dir/tests/fuzz/$t" "$limit" "${extra[@]}" -print_final_stats=1 -artifact_prefix="$findings/" \
       "$work" "$corpus_seed" 2>"$log"; then
    status=1
    tail -n 40 "$log"
  fi
  grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$log" | tail -n 2 || true
done
exit $status
