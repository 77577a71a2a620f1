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

echo "${total_pass} passed, ${total_fail} failed"
[ "$total_fail" -eq 0 ]
