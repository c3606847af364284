#!/usr/bin/env python3
"""The layering check: every target imports only the modules of this package it declares as direct dependencies.

SwiftPM's `--explicit-target-dependency-import-check error` lets a target import anything its dependencies
depend on (the CLI could import the storage module because the service depends on it), so it cannot hold the
arrows of DESIGN.md (Architecture) in place. This reads the targets and their direct dependencies from
`swift package dump-package` and each target's `import` lines, and fails on:
  - an import of one of the package's own modules that the target does not declare (a hidden arrow);
  - any `@_exported import` (it hides the real dependencies of every client).
Usage: tools/check-imports.py   (exit 0 clean, 1 with one line per violation)
"""
import json
import pathlib
import re
import subprocess
import sys

root = pathlib.Path(__file__).resolve().parent.parent
package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                    capture_output=True, text=True).stdout)
targets = {t["name"]: t for t in package["targets"]}


def module(name):
    """The module name Swift imports for a target (dashes become underscores)."""
    return name.replace("-", "_")


own = {module(n): n for n in targets}
import_line = re.compile(r"^\s*(@_exported\s+|@testable\s+|@_implementationOnly\s+)?"
                         r"(?:(?:public|package|internal|fileprivate|private)\s+)?import[ \t]+"
                         r"(?:(?:struct|class|enum|protocol|typealias|func|let|var)[ \t]+)?([A-Za-z_]\w*)",
                         re.M)
problems = []
for name, t in targets.items():
    if t["type"] == "system":
        continue
    folder = root / (t.get("path") or ("Tests" if t["type"] == "test" else "Sources")) / ("" if t.get("path") else name)
    declared = set()
    for d in t["dependencies"]:
        kind, value = next(iter(d.items()))
        if kind in ("byName", "target"):
            declared.add(module(value[0]))
    for f in sorted(folder.rglob("*.swift")):
        for m in import_line.finditer(f.read_text()):
            attribute, imported = m.group(1) or "", m.group(2)
            where = f"{f.relative_to(root)}:{f.read_text()[:m.start()].count(chr(10)) + 1}"
            if attribute.strip() == "@_exported":
                problems.append(f"{where}: @_exported import {imported} hides the real dependencies of every client")
            if imported in own and imported != module(name) and imported not in declared:
                problems.append(f"{where}: target {name} imports {imported} without declaring it in Package.swift "
                                f"(declared: {', '.join(sorted(declared)) or 'none'})")

for p in problems:
    print(p)
if problems:
    print(f"{len(problems)} import(s) break the layering; see Package.swift and DESIGN.md, Architecture", file=sys.stderr)
    sys.exit(1)
print(f"imports: {len(targets)} targets import only what they declare")
