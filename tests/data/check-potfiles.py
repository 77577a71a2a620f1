#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when a source file that marks strings for translation is missing from po/POTFILES.in,
or when POTFILES.in lists a file that does not exist.

Usage: check-potfiles.py SOURCE_ROOT"""

import os
import re
import sys

# _("…"), N_("…"), C_("ctx", "…"), g_dngettext/ngettext, and translatable="yes" in .ui files.
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|ngettext|g_dngettext)\s*\(\s*"')
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true)"')
SKIP = {"tests", "subprojects"}


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        listed = {line.strip() for line in f
                  if line.strip() and not line.lstrip().startswith("#")}

    missing, absent = [], []
    for path in sorted(listed):
        if not os.path.exists(os.path.join(root, path)):
            absent.append(path)

    for top in ("src", "data"):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = [d for d in dirnames if d not in SKIP and not d.startswith(".")]
            for name in filenames:
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root)
                if name.endswith((".c", ".h")):
                    pattern = C_MARK
                elif name.endswith(".ui"):
                    pattern = UI_MARK
                else:
                    continue
                with open(full, encoding="utf-8", errors="replace") as f:
                    if pattern.search(f.read()) and rel not in listed:
                        missing.append(rel)

    for path in missing:
        print(f"FAIL: {path} marks strings for translation but is not in po/POTFILES.in",
              file=sys.stderr)
    for path in absent:
        print(f"FAIL: po/POTFILES.in lists {path}, which does not exist", file=sys.stderr)
    return 1 if missing or absent else 0


if __name__ == "__main__":
    sys.exit(main())
