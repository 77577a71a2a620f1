#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest against the desktop file and the metainfo.

Usage: check-manifest.py MANIFEST DESKTOP_FILE METAINFO [SOURCE_ROOT]

The manifest is read through `flatpak-builder --show-manifest` (which also validates it), then:
its app id equals the desktop file's name and the metainfo's <id>, its command equals the binary
the desktop file's Exec= starts, the metainfo's launchable names the desktop file, and its
finish-args are exactly the ones the app needs (no keyring hole: the Secret portal is used).
With SOURCE_ROOT, the metainfo's screenshots name files under data/screenshots/ that exist
(once that directory exists)."""

import configparser
import json
import os
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET

EXPECTED_FINISH_ARGS = [
    "--share=network",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--share=ipc",
    "--device=dri",
]

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def main():
    manifest_path, desktop_path, metainfo_path = sys.argv[1:4]
    source_root = sys.argv[4] if len(sys.argv) > 4 else None

    try:
        out = subprocess.run(["flatpak-builder", "--show-manifest", manifest_path],
                             check=True, capture_output=True, text=True).stdout
    except FileNotFoundError:
        print("flatpak-builder is not installed", file=sys.stderr)
        return 77
    except subprocess.CalledProcessError as e:
        print("flatpak-builder --show-manifest failed:\n" + e.stderr, file=sys.stderr)
        return 1
    manifest = json.loads(out)
    app_id = manifest.get("id") or manifest.get("app-id")

    desktop = configparser.RawConfigParser(interpolation=None, strict=False)
    desktop.optionxform = str
    desktop.read(desktop_path, encoding="utf-8")
    entry = desktop["Desktop Entry"]
    desktop_id = os.path.basename(desktop_path)
    if desktop_id.endswith(".in"):
        desktop_id = desktop_id[:-3]

    meta = ET.parse(metainfo_path).getroot()
    meta_id = meta.findtext("id")
    launchable = meta.find("launchable[@type='desktop-id']")
    binaries = [b.text for b in meta.findall("provides/binary")]

    check(app_id == "io.github.wirescope.Wirescope", f"manifest id is {app_id!r}")
    check(desktop_id == app_id + ".desktop",
          f"desktop file {desktop_id!r} is not named after the app id {app_id!r}")
    check(meta_id == app_id, f"metainfo id {meta_id!r} differs from manifest id {app_id!r}")
    check(launchable is not None and launchable.text == app_id + ".desktop",
          "metainfo launchable does not name the desktop file")
    check(entry.get("Icon") == app_id, f"desktop Icon= {entry.get('Icon')!r} is not the app id")

    command = manifest.get("command")
    exec_bin = shlex.split(entry.get("Exec", ""))[0] if entry.get("Exec") else None
    check(command == exec_bin,
          f"manifest command {command!r} differs from the desktop file's Exec {exec_bin!r}")
    check(command in binaries, f"manifest command {command!r} is not a binary the metainfo provides")
    for section in desktop.sections():
        if section.startswith("Desktop Action "):
            action_bin = shlex.split(desktop[section].get("Exec", ""))[0]
            check(action_bin == command,
                  f"{section} starts {action_bin!r}, not the manifest command {command!r}")

    finish_args = manifest.get("finish-args", [])
    check(sorted(finish_args) == sorted(EXPECTED_FINISH_ARGS),
          f"finish-args {finish_args} are not exactly {EXPECTED_FINISH_ARGS}")
    for arg in finish_args:
        check("secrets" not in arg and "keyring" not in arg and "--filesystem" not in arg,
              f"finish-arg {arg} opens a hole the app does not need")

    check(manifest.get("runtime") == "org.gnome.Platform", "runtime is not org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", "sdk is not org.gnome.Sdk")
    project = [m for m in manifest.get("modules", []) if isinstance(m, dict)
               and m.get("name") == "wirescope"]
    check(len(project) == 1, "no module named wirescope")
    if project:
        mod = project[0]
        check(mod.get("buildsystem") == "meson", "the project module is not built with meson")
        check(mod.get("run-tests") is True, "the project module does not run its tests")
        check(any(s.get("type") == "dir" and s.get("path") == ".." for s in mod.get("sources", [])),
              "the project module is not built from the local checkout (type dir, path ..)")

    shots = [i.text for i in meta.findall("screenshots/screenshot/image")]
    check(len(shots) > 0, "the metainfo has no screenshots")
    for url in shots:
        check("/data/screenshots/" in url and url.endswith(".png"),
              f"screenshot {url} is not a PNG under data/screenshots/")
    if source_root and os.path.isdir(os.path.join(source_root, "data", "screenshots")):
        for url in shots:
            name = url.rsplit("/", 1)[-1]
            check(os.path.exists(os.path.join(source_root, "data", "screenshots", name)),
                  f"the metainfo shows data/screenshots/{name}, which is not in the tree")

    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
