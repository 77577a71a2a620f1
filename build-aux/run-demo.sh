#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is needed, builds, and launches Wirescope on its embedded demo gateway.
# Without a display (an SSH session), runs the demo gateway and wirescope-cli in the terminal.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/build-aux/install-deps.sh"

dir="$top/_build/release"
if [ ! -d "$dir" ]; then
  meson setup "$dir" -Dbuildtype=debugoptimized
fi
ninja -C "$dir"

export GSETTINGS_SCHEMA_DIR="$dir/data"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$dir/src/app/wirescope" ]; then
  exec "$dir/src/app/wirescope" --demo "$@"
fi

echo "No display: running the demo gateway and wirescope-cli in this terminal (Ctrl-C ends)."
secret_file=$(mktemp)
trap 'rm -f "$secret_file"; kill "${gw_pid:-0}" 2>/dev/null || true' EXIT
head -c 32 /dev/urandom | base64 > "$secret_file"
gw_out=$(mktemp)
"$dir/src/gateway/wirescope-gateway" --listen 127.0.0.1:0 --demo --secret-file "$secret_file" >"$gw_out" &
gw_pid=$!
for _ in $(seq 50); do grep -q '^listening on' "$gw_out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$gw_out" | head -n 1)
token=$("$dir/src/gateway/wirescope-gateway" mint-token --secret-file "$secret_file" --user demo-user --trips demo-trip)
"$dir/src/cli/wirescope-cli" connect \
  "$url/ws/agent-status/demo-user" "$url/ws/notifications/demo-user" "$url/ws/trips/demo-trip/collab" \
  --token "$token" --channel agent:demo-user --channel notifications:demo-user --channel trip:demo-trip "$@"
