#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is needed, builds with warnings as errors, runs every test suite (UI tests under
# Xvfb), then builds again with AddressSanitizer/UndefinedBehaviorSanitizer and runs the suites
# there too. Ends with one line "N passed, N failed"; exits non-zero when anything failed.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/build-aux/install-deps.sh" || { echo "0 passed, 1 failed"; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
total_pass=0
total_fail=0

# Counts the results of one meson test run from its testlog.json (meson's own summary is not read).
count_results () {
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
passed = failed = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result")
            if r in ("OK", "EXPECTEDFAIL", "SKIP"):
                passed += 1
            else:
                failed += 1
except FileNotFoundError:
    failed += 1
print(passed, failed)
PY
}

# run_build NAME MESON_ARGS...
run_build () {
  local name=$1; shift
  local dir="$top/_build/$name"
  echo "=== $name: configure and build ==="
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" --werror "$@" >"$dir.setup.log" 2>&1 || meson setup --wipe "$dir" --werror "$@" >"$dir.setup.log" 2>&1
  else
    mkdir -p "$top/_build"
    meson setup "$dir" --werror "$@" >"$dir.setup.log" 2>&1
  fi
  if [ $? -ne 0 ] || ! ninja -C "$dir"; then
    cat "$dir.setup.log" 2>/dev/null | tail -n 30
    echo "$name: the build failed"
    total_fail=$((total_fail + 1))
    return
  fi
  echo "=== $name: tests ==="
  rm -f "$dir/meson-logs/testlog.json"
  xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
    meson test -C "$dir" --print-errorlogs --num-processes "$jobs" --timeout-multiplier 3
  read -r p f < <(count_results "$dir/meson-logs/testlog.json")
  echo "$name: $p passed, $f failed"
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

run_build release -Dbuildtype=debugoptimized
run_build sanitize -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false

# Memcheck over the unit and integration suites (no display needed): an invalid access or a
# definite leak fails the test. Its own build without the app and the benchmarks.
run_valgrind () {
  local dir="$top/_build/valgrind" start p f
  echo "=== valgrind: configure and build ==="
  if [ -d "$dir" ]; then
    meson setup --reconfigure "$dir" --werror -Dbuildtype=debug -Dapp=false -Dbenchmarks=false >"$dir.setup.log" 2>&1
  else
    mkdir -p "$top/_build"
    meson setup "$dir" --werror -Dbuildtype=debug -Dapp=false -Dbenchmarks=false >"$dir.setup.log" 2>&1
  fi
  if [ $? -ne 0 ] || ! ninja -C "$dir"; then
    tail -n 30 "$dir.setup.log" 2>/dev/null
    echo "valgrind: the build failed"
    total_fail=$((total_fail + 1))
    return
  fi
  echo "=== valgrind: unit and integration suites under memcheck ==="
  rm -f "$dir/meson-logs/testlog-valgrind.json"
  start=$(date +%s)
  dbus-run-session -- meson test -C "$dir" --setup valgrind --suite unit --suite integration \
    --print-errorlogs --num-processes "$jobs"
  read -r p f < <(count_results "$dir/meson-logs/testlog-valgrind.json")
  echo "valgrind: $p passed, $f failed in $(( $(date +%s) - start )) s"
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
}

# Each libFuzzer target for 60 s (clang, ASan + UBSan): one pass or fail per target. The fuzz
# findings' regression tests also run in that clang build, whose UBSan sees more than GCC's.
run_fuzz () {
  local t dir="$top/_build/fuzz"
  echo "=== fuzz: each target for 60 s ==="
  for t in fuzz-envelope fuzz-pattern fuzz-jwt fuzz-gateway-frame fuzz-client-frame; do
    if "$top/tests/fuzz/run-fuzzers.sh" -max_total_time=60 "$t"; then
      total_pass=$((total_pass + 1))
    else
      echo "fuzz: $t failed"
      total_fail=$((total_fail + 1))
    fi
  done
  if ninja -C "$dir" tests/protocol/test-bad-input-protocol >/dev/null &&
     UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$dir/tests/protocol/test-bad-input-protocol"; then
    total_pass=$((total_pass + 1))
  else
    echo "fuzz: the fuzz findings' regression tests failed under clang"
    total_fail=$((total_fail + 1))
  fi
}

run_valgrind
run_fuzz

echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
