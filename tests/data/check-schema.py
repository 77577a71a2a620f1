#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every key of the GSettings schema has a summary, a description and a default; numeric keys
have a range, and enum keys name an enum that exists. Tokens never have a key.

Usage: check-schema.py SCHEMA.gschema.xml"""

import sys
import xml.etree.ElementTree as ET

NUMERIC = set("ynqiuxtd")


def main():
    root = ET.parse(sys.argv[1]).getroot()
    enums = {e.get("id") for e in root.findall("enum")}
    failures = []
    keys = 0
    for schema in root.findall("schema"):
        for key in schema.findall("key"):
            keys += 1
            name = key.get("name")
            for child in ("summary", "description", "default"):
                text = key.findtext(child)
                if text is None or not text.strip():
                    failures.append(f"key {name} has no {child}")
            if key.get("type") in NUMERIC and key.find("range") is None:
                failures.append(f"numeric key {name} has no range")
            if key.get("enum") is not None and key.get("enum") not in enums:
                failures.append(f"key {name} names an unknown enum {key.get('enum')}")
            if key.get("type") is None and key.get("enum") is None and key.get("flags") is None:
                failures.append(f"key {name} has no type")
            if "token" in name or "secret" in name or "password" in name:
                failures.append(f"key {name} would store a secret in GSettings")
    if keys == 0:
        failures.append("the schema has no keys")
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    print(f"{keys} keys checked")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
