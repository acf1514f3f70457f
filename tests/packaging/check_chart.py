#!/usr/bin/env python3
"""Checks of the Helm chart that need no rendering.

    check_chart.py schema MERGED.json [--invalid]
        Validates merged values (helmrender -values-out) against values.schema.json, as Helm
        does before rendering. With --invalid, succeeds only when the schema rejects them.
    check_chart.py readme
        README.md documents every value of values.yaml, and no value that no longer exists.
    check_chart.py secrets RENDER.yaml ACTIVE_KEY_ID [LIVE.yaml]
        The generated Secrets are usable: the active encryption key decodes to 32 bytes, the
        ingest token is long enough; and every value of LIVE.yaml (the Secrets an upgrade finds
        in the cluster) is kept as it was.
"""
import base64
import json
import pathlib
import re
import sys

import yaml

CHART = pathlib.Path(__file__).resolve().parents[2] / "charts" / "webhooks"


def load_schema():
    return json.loads((CHART / "values.schema.json").read_text())


def check_schema(values_file, expect_invalid):
    import jsonschema  # only this check needs it; the others run on PyYAML alone

    schema = load_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    validator = jsonschema.Draft7Validator(schema)
    values = json.loads(pathlib.Path(values_file).read_text())
    errors = sorted(validator.iter_errors(values), key=lambda e: list(e.path))
    if expect_invalid:
        if not errors:
            print(f"  {values_file}: the schema accepted values it should reject")
            return 1
        return 0
    for error in errors:
        print(f"  {values_file}: {'.'.join(map(str, error.path)) or '(root)'}: {error.message}")
    return 1 if errors else 0


def documented_keys(schema, values):
    """Value paths a reader sets: a strict object's fields are listed one by one, a free-form
    object (labels, security contexts, resources) or a list is one value."""
    def resolve(node):
        while node and "$ref" in node:
            node = schema["definitions"][node["$ref"].rsplit("/", 1)[1]]
        return node or {}

    def walk(value, node, path):
        node = resolve(node)
        if isinstance(value, dict) and value and node.get("additionalProperties") is False:
            for key, child in value.items():
                yield from walk(child, node.get("properties", {}).get(key, {}), path + [key])
        else:
            yield ".".join(path)

    return set(walk(values, schema, []))


def check_readme():
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    wanted = documented_keys(load_schema(), values)
    readme = (CHART / "README.md").read_text()
    listed = set(re.findall(r"^\| `([A-Za-z0-9_.]+)` \|", readme, flags=re.MULTILINE))
    failures = [f"  README.md does not list `{key}`" for key in sorted(wanted - listed)]
    failures += [f"  README.md lists `{key}`, which values.yaml no longer has" for key in sorted(listed - wanted)]
    for failure in failures:
        print(failure)
    return 1 if failures else 0


def load_secrets(path):
    with open(path, encoding="utf-8") as stream:
        return {d["metadata"]["name"]: d.get("data") or {}
                for d in yaml.safe_load_all(stream) if d and d.get("kind") == "Secret"}


def check_secrets(render, active_key_id, live_file=None):
    failures = []
    rendered = load_secrets(render)
    encryption = next((data for name, data in rendered.items() if name.endswith("-encryption")), None)
    ingest = next((data for name, data in rendered.items() if name.endswith("-ingest")), None)
    if encryption is None or ingest is None:
        return [f"expected the generated -encryption and -ingest Secrets, found {sorted(rendered)}"]
    try:
        # data is base64 of the key file, and the key file is base64 of the key.
        key = base64.b64decode(base64.b64decode(encryption.get(active_key_id, ""), validate=True), validate=True)
    except ValueError as error:
        key, failures = b"", failures + [f"encryption key {active_key_id} is not base64 of base64: {error}"]
    if len(key) != 32:
        failures.append(f"encryption key {active_key_id} decodes to {len(key)} bytes, not 32 (AES-256)")
    tokens = [t for t in base64.b64decode(next(iter(ingest.values()), "")).decode().splitlines() if t.strip()]
    if not tokens or min(len(t) for t in tokens) < 32:
        failures.append("the generated ingest token is missing or shorter than 32 characters")
    for name, data in (load_secrets(live_file) if live_file else {}).items():
        for key_id, value in data.items():
            if rendered.get(name, {}).get(key_id) != value:
                failures.append(f"upgrade changed or dropped {name}/{key_id}, which the cluster already had")
    return failures


def main(argv):
    if argv[:1] == ["schema"] and len(argv) >= 2:
        return check_schema(argv[1], "--invalid" in argv[2:])
    if argv == ["readme"]:
        return check_readme()
    if argv[:1] == ["secrets"] and len(argv) in (3, 4):
        failures = check_secrets(*argv[1:])
        for failure in failures:
            print(f"  {failure}")
        return 1 if failures else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
