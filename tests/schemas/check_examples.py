#!/usr/bin/env python3
"""Checks that the JSON Schemas in schemas/json and the examples in schemas/examples agree.

  check_examples.py SCHEMA_DIR EXAMPLES_DIR
      Every schema must be a valid draft 2020-12 schema; every examples/valid/*.json must
      validate against event.schema.json; every examples/invalid/<code>.<case>.json must fail:
      invalid_json at parsing, duplicate_field at the duplicate-key check, any other code at
      schema validation (after parsing fine). Every examples/deadletter/valid/*.json must
      validate against deadletter.schema.json, every examples/deadletter/invalid/*.json fail it.
  check_examples.py --validate SCHEMA_DIR SCHEMA_NAME FILE...
      Every line of every FILE (JSON Lines) must validate against SCHEMA_NAME.
  check_examples.py --named SCHEMA_DIR EXAMPLES_DIR
      Every EXAMPLES_DIR/valid/<name>.<case>.json must validate against <name>.schema.json and
      every EXAMPLES_DIR/invalid/<name>.<case>.json must parse and fail it (outreach examples).

Parsing is as strict as the C++ decoder: UTF-8 only, no NaN/Infinity, no lone surrogates,
no duplicate known fields in the event object. Exit code 0 when everything holds, 1 otherwise.
"""
import json
import math
import pathlib
import sys

from jsonschema import Draft202012Validator

BASE = "https://cxpulse.dev/schemas/"


class ParseError(Exception):
    pass


class DuplicateKey(Exception):
    pass


# The fields the decoder reads (schemas/field_slots.cpp). A duplicate of one of them in the
# event object is duplicate_field; duplicates of other keys are ignored, like the keys.
KNOWN_FIELDS = {
    "event_id", "customer_id", "type", "action", "ts", "tier", "channel", "page", "element",
    "session_id", "query", "results", "status", "contact_id", "queue", "reason", "agent_id",
    "author", "resolved", "hold_ms", "survey", "score", "comment",
}


class _Object(dict):
    """A JSON object that remembers which keys it saw more than once."""

    def __init__(self, pairs):
        super().__init__(pairs)
        seen = set()
        self.duplicates = set()
        for key, _ in pairs:
            if key in seen:
                self.duplicates.add(key)
            seen.add(key)


def _check_strings(value):
    if isinstance(value, str):
        value.encode("utf-8")  # raises on lone surrogates
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k)
            _check_strings(v)
    elif isinstance(value, list):
        for v in value:
            _check_strings(v)


def _finite_float(text):
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("number out of range: " + text)
    return value


def _reject_constant(name):
    raise ValueError("not JSON: " + name)


def strict_loads(data: bytes):
    """Parses like the decoder; raises ParseError or DuplicateKey."""
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_Object, parse_float=_finite_float,
                           parse_constant=_reject_constant)
        _check_strings(value)
    except (UnicodeError, ValueError, RecursionError) as e:
        raise ParseError(str(e)) from e
    if isinstance(value, _Object) and value.duplicates & KNOWN_FIELDS:
        raise DuplicateKey(sorted(value.duplicates & KNOWN_FIELDS)[0])
    return value


def load_schemas(schema_dir: pathlib.Path):
    schemas = {}
    for path in sorted(schema_dir.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        if schema.get("$id") != BASE + path.name:
            raise SystemExit(f"{path}: $id must be {BASE + path.name}")
        schemas[path.name] = schema
    return schemas


def make_validator(schemas, name):
    schema = schemas[name]
    try:
        from referencing import Registry, Resource  # jsonschema >= 4.18
        registry = Registry().with_resources(
            (s["$id"], Resource.from_contents(s)) for s in schemas.values())
        return Draft202012Validator(schema, registry=registry)
    except ImportError:
        from jsonschema import RefResolver  # jsonschema 4.10 (Debian 12)
        store = {s["$id"]: s for s in schemas.values()}
        return Draft202012Validator(schema, resolver=RefResolver(schema["$id"], schema, store=store))


def check_examples(schema_dir, examples_dir):
    schemas = load_schemas(schema_dir)
    validator = make_validator(schemas, "event.schema.json")
    failures = []
    valid = sorted((examples_dir / "valid").glob("*.json"))
    invalid = sorted((examples_dir / "invalid").glob("*.json"))
    if not valid or not invalid:
        failures.append(f"no examples under {examples_dir}")
    for path in valid:
        try:
            errors = list(validator.iter_errors(strict_loads(path.read_bytes())))
        except (ParseError, DuplicateKey) as e:
            failures.append(f"{path.name}: valid example does not parse: {e!r}")
            continue
        if errors:
            failures.append(f"{path.name}: valid example rejected: {errors[0].message}")
    for path in invalid:
        code = path.name.split(".")[0]
        try:
            event = strict_loads(path.read_bytes())
        except ParseError as e:
            if code != "invalid_json":
                failures.append(f"{path.name}: expected {code} but it does not even parse: {e}")
            continue
        except DuplicateKey:
            if code != "duplicate_field":
                failures.append(f"{path.name}: expected {code} but has a duplicate key")
            continue
        if code in ("invalid_json", "duplicate_field"):
            failures.append(f"{path.name}: expected {code} but it parses")
            continue
        if validator.is_valid(event):
            failures.append(f"{path.name}: invalid example ({code}) passes the schema")
    failures += check_dead_letter_examples(schemas, examples_dir / "deadletter")
    for f in failures:
        print("FAIL", f)
    print(f"{len(valid)} valid and {len(invalid)} invalid examples, {len(failures)} failures")
    return 1 if failures else 0


def check_dead_letter_examples(schemas, examples_dir):
    validator = make_validator(schemas, "deadletter.schema.json")
    valid = sorted((examples_dir / "valid").glob("*.json"))
    invalid = sorted((examples_dir / "invalid").glob("*.json"))
    failures = [] if valid and invalid else [f"no dead-letter examples under {examples_dir}"]
    for path in valid:
        errors = list(validator.iter_errors(strict_loads(path.read_bytes())))
        if errors:
            failures.append(f"deadletter/{path.name}: valid example rejected: {errors[0].message}")
    for path in invalid:
        if validator.is_valid(strict_loads(path.read_bytes())):
            failures.append(f"deadletter/{path.name}: invalid example passes the schema")
    return failures


def validate_files(schema_dir, schema_name, files):
    schemas = load_schemas(schema_dir)
    validator = make_validator(schemas, schema_name)
    failures = 0
    lines = 0
    for name in files:
        for number, line in enumerate(pathlib.Path(name).read_bytes().splitlines(), 1):
            lines += 1
            try:
                errors = list(validator.iter_errors(strict_loads(line)))
            except (ParseError, DuplicateKey) as e:
                errors = [e]
            for e in errors[:1]:
                failures += 1
                print(f"FAIL {name}:{number}: {getattr(e, 'message', e)}")
    if lines == 0:
        print("FAIL no lines to validate")
        return 1
    print(f"{lines} lines against {schema_name}, {failures} failures")
    return 1 if failures else 0


def check_named_examples(schema_dir, examples_dir):
    schemas = load_schemas(schema_dir)
    failures = []
    counts = {"valid": 0, "invalid": 0}
    for kind in counts:
        for path in sorted((examples_dir / kind).glob("*.json")):
            counts[kind] += 1
            name = path.name.split(".")[0] + ".schema.json"
            if name not in schemas:
                failures.append(f"{path.name}: no schema {name}")
                continue
            try:
                value = strict_loads(path.read_bytes())
            except (ParseError, DuplicateKey) as e:
                failures.append(f"{path.name}: does not parse: {e!r}")
                continue
            errors = list(make_validator(schemas, name).iter_errors(value))
            if kind == "valid" and errors:
                failures.append(f"{path.name}: valid example rejected: {errors[0].message}")
            if kind == "invalid" and not errors:
                failures.append(f"{path.name}: invalid example passes {name}")
    if not counts["valid"] or not counts["invalid"]:
        failures.append(f"no examples under {examples_dir}")
    for f in failures:
        print("FAIL", f)
    print(f"{counts['valid']} valid and {counts['invalid']} invalid examples, "
          f"{len(failures)} failures")
    return 1 if failures else 0


def main(argv):
    if len(argv) == 4 and argv[1] == "--named":
        return check_named_examples(pathlib.Path(argv[2]), pathlib.Path(argv[3]))
    if len(argv) >= 5 and argv[1] == "--validate":
        return validate_files(pathlib.Path(argv[2]), argv[3], argv[4:])
    if len(argv) == 3:
        return check_examples(pathlib.Path(argv[1]), pathlib.Path(argv[2]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
