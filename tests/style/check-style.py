#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""House rules of STYLE.md that a machine can check, on every C file of the tree.

- line 1 of every .c defines G_LOG_DOMAIN, an SPDX line follows near the top;
- headers use #pragma once;
- no tabs, no trailing white space, lines within 120 columns;
- the layers keep apart: src/protocol and src/core never include GTK, the gateway never includes
  the client core and the core never includes the gateway;
- the project speaks of itself only: no absolute machine paths.
"""
import os
import re
import sys

top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
top = os.path.abspath(top)

problems = []


def report(path, line, msg):
    problems.append(f"{os.path.relpath(path, top)}:{line}: {msg}")


GTK_INCLUDE = re.compile(r'#\s*include\s*[<"](gtk/|adwaita\.h|gdk/)')
CORE_HEADERS = {"wire-connection.h", "wire-manager.h", "wire-message-queue.h", "wire-backoff.h",
                "wire-network-monitor.h", "wire-config.h", "wire-core.h"}
MACHINE_PATH = re.compile(r'(/work/|/home/[a-z]|/root/|/tmp/bash_jobs)')

checked = 0
for sub in ("src", "tests"):
    for dirpath, dirnames, filenames in os.walk(os.path.join(top, sub)):
        dirnames[:] = [d for d in dirnames if d not in ("node_modules",) and not d.startswith(".")]
        for name in filenames:
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, top)
            checked += 1
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            if name.endswith(".c") and not lines[0].startswith("#define G_LOG_DOMAIN"):
                report(path, 1, "line 1 must define G_LOG_DOMAIN")
            if not any("SPDX-License-Identifier" in l for l in lines[:5]):
                report(path, 1, "no SPDX-License-Identifier line at the top")
            if name.endswith(".h") and not any(l.strip() == "#pragma once" for l in lines[:10]):
                report(path, 1, "header without #pragma once")
            for i, l in enumerate(lines, 1):
                if "\t" in l:
                    report(path, i, "tab character")
                if l != l.rstrip():
                    report(path, i, "trailing white space")
                if len(l) > 120:
                    report(path, i, f"line of {len(l)} columns (at most 120)")
                if MACHINE_PATH.search(l):
                    report(path, i, "machine path")
                if rel.startswith(("src/protocol", "src/core", "src/gateway", "src/cli")) and GTK_INCLUDE.search(l):
                    report(path, i, "GTK include outside src/app")
                m = re.match(r'\s*#\s*include\s*"([^"]+)"', l)
                if m:
                    inc = os.path.basename(m.group(1))
                    if rel.startswith("src/gateway") and inc in CORE_HEADERS:
                        report(path, i, "the gateway includes the client core")
                    if rel.startswith(("src/core", "src/protocol")) and inc.startswith("wire-gateway"):
                        report(path, i, "the client includes the gateway")
                    if rel.startswith("src/protocol") and inc in CORE_HEADERS:
                        report(path, i, "src/protocol includes src/core")

for p in problems:
    print(p)
print(f"{checked} files checked, {len(problems)} problems")
sys.exit(1 if problems or checked == 0 else 0)
