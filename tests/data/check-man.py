#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Each command has a man page that groff formats without a warning.

Usage: check-man.py MAN_DIR COMMAND..."""

import os
import shutil
import subprocess
import sys


def main():
    man_dir, commands = sys.argv[1], sys.argv[2:]
    groff = shutil.which("groff")
    failures = []
    for command in commands:
        page = os.path.join(man_dir, command + ".1")
        if not os.path.exists(page):
            failures.append(f"{command} has no man page {page}")
            continue
        with open(page, encoding="utf-8") as f:
            if not any(line.startswith(".TH " + command.upper() + " 1") for line in f):
                failures.append(f"{page} has no .TH {command.upper()} 1 line")
        if groff is None:
            continue
        result = subprocess.run([groff, "-man", "-ww", "-z", "-Tutf8", page],
                                capture_output=True, text=True)
        if result.returncode != 0 or result.stderr.strip():
            failures.append(f"groff warns about {page}:\n{result.stderr}")
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
