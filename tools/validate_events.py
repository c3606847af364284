#!/usr/bin/env python3
"""Validates alignment-ledger JSON against the JSON Schemas in schemas/, offline.

Events (the default): reads JSON Lines envelopes as printed by `align log --json`, from a file argument or
standard input. Each envelope is checked against schemas/envelope.schema.json and its payload against
schemas/events/<type>.v<schemaVersion>.schema.json.

    align log --json --ledger demo.ledger | tools/validate_events.py
    tools/validate_events.py events.jsonl --require-all-types

Apply lines (--apply): checks each line of an `align apply` file against schemas/apply-line.schema.json.
Blank lines and lines starting with '#' are skipped, as `align apply` skips them.

    tools/validate_events.py --apply tools/schema-check-commands.jsonl

Prints `N events validated, M failed` (or `N apply lines validated, M failed`) and exits 1 on any failure
or when there was nothing to validate; 2 on a usage or schema problem. Needs the `jsonschema` package
(4.18 or later, which brings `referencing`). Every schema in schemas/ is put in one registry under its
$id, so `$ref`s by absolute $id resolve without a network.
"""
import argparse
import collections
import json
import pathlib
import sys

try:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012
except ImportError as e:  # pragma: no cover
    sys.exit(f"validate_events.py needs jsonschema>=4.18 (pip install jsonschema): {e}")

BASE = "https://alignment-ledger.example/schemas/"
DEFAULT_SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "schemas"
MAX_REPORTED = 20


def load_registry(root: pathlib.Path):
    """Every *.json under root, checked as a 2020-12 schema and registered under its $id."""
    registry = Registry()
    schemas = {}
    for path in sorted(root.rglob("*.json")):
        if path.name == "openapi.json":
            continue  # the HTTP API's OpenAPI 3.1 document (tools/check-openapi.sh validates it), not a JSON Schema
        contents = json.loads(path.read_text(encoding="utf-8"))
        sid = contents.get("$id")
        if not sid:
            raise SystemExit(f"schema {path} has no $id")
        if sid in schemas:
            raise SystemExit(f"schema {path} repeats $id {sid}")
        Draft202012Validator.check_schema(contents)
        schemas[sid] = contents
        registry = registry.with_resource(sid, Resource.from_contents(contents, default_specification=DRAFT202012))
    return registry.crawl(), schemas


class Checker:
    def __init__(self, root: pathlib.Path):
        self.registry, self.schemas = load_registry(root)
        self.validators = {}

    def validator(self, sid: str):
        if sid not in self.validators:
            if sid not in self.schemas:
                return None
            self.validators[sid] = Draft202012Validator(
                self.schemas[sid], registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER)
        return self.validators[sid]

    def errors(self, sid: str, instance, where: str):
        v = self.validator(sid)
        if v is None:
            return [f"{where}: no schema {sid}"]
        out = []
        for e in sorted(v.iter_errors(instance), key=lambda e: list(e.absolute_path)):
            path = "/".join(str(p) for p in e.absolute_path)
            out.append(f"{where}{'/' + path if path else ''}: {e.message}")
        return out


def lines_of(source):
    if source == "-":
        yield from enumerate(sys.stdin, 1)
    else:
        with open(source, encoding="utf-8") as f:
            yield from enumerate(f, 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", nargs="?", default="-", help="JSON Lines file, or - for standard input (default)")
    ap.add_argument("--schemas", type=pathlib.Path, default=DEFAULT_SCHEMAS, help="schema directory (default: %(default)s)")
    ap.add_argument("--apply", action="store_true", help="validate `align apply` lines instead of event envelopes")
    ap.add_argument("--require-all-types", action="store_true",
                    help="also fail unless every event type with a schema in schemas/events occurs at least once")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the summary line")
    args = ap.parse_args()

    checker = Checker(args.schemas)
    what = "apply lines" if args.apply else "events"
    total = failed = 0
    by_type = collections.Counter()
    reported = 0

    def report(problems):
        nonlocal reported
        for p in problems:
            if reported < MAX_REPORTED:
                print(p, file=sys.stderr)
            reported += 1

    for n, raw in lines_of(args.file):
        text = raw.strip()
        if not text:
            continue
        if args.apply and text.startswith("#"):
            continue
        total += 1
        where = f"line {n}"
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            failed += 1
            report([f"{where}: not JSON: {e}"])
            continue
        if args.apply:
            problems = checker.errors(BASE + "apply-line.schema.json", obj, where)
            if isinstance(obj, dict):
                by_type[str(obj.get("command"))] += 1
        else:
            problems = checker.errors(BASE + "envelope.schema.json", obj, where)
            if isinstance(obj, dict) and isinstance(obj.get("payload"), dict):
                etype, sv = obj.get("type"), obj.get("schemaVersion")
                where = f"{where} (position {obj.get('position')}, {etype} v{sv}) payload"
                problems += checker.errors(f"{BASE}events/{etype}.v{sv}.schema.json", obj["payload"], where)
                by_type[f"{etype} v{sv}"] += 1
        if problems:
            failed += 1
            report(problems)

    if reported > MAX_REPORTED:
        print(f"... and {reported - MAX_REPORTED} more problems", file=sys.stderr)

    missing = []
    if args.require_all_types and not args.apply:
        known = sorted(p.name[: -len(".schema.json")].replace(".v", " v")
                       for p in (args.schemas / "events").glob("*.schema.json"))
        missing = [t for t in known if by_type[t] == 0]

    if not args.quiet:
        for key, count in sorted(by_type.items()):
            print(f"  {key:<34} {count:>7}")
    if missing:
        print(f"event types with a schema but no event in the input: {', '.join(missing)}", file=sys.stderr)
    print(f"{total} {what} validated, {failed} failed")
    if total == 0:
        print(f"error: no {what} to validate", file=sys.stderr)
    return 1 if failed or total == 0 or missing else 0


if __name__ == "__main__":
    sys.exit(main())
