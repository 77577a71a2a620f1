#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what Wirescope needs to build, test and run on Debian 12.
# Skips apt-get when every package is already present, so repeated runs are fast.
set -euo pipefail

packages=(
  build-essential meson ninja-build pkg-config gettext clang libclang-rt-14-dev
  libglib2.0-dev libglib2.0-bin libjson-glib-dev libsoup-3.0-dev glib-networking
  libgtk-4-dev libadwaita-1-dev libsecret-1-dev
  desktop-file-utils appstream xvfb xauth dbus dbus-x11 at-spi2-core
  python3-pyatspi python3-gi gir1.2-atspi-2.0 imagemagick
  openssl valgrind flatpak-builder
  python3 python3-prometheus-client
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
