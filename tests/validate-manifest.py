#!/usr/bin/python3
# validate-manifest.py SCHEMA FILE...: check each imgscrub manifest FILE
# against SCHEMA (doc/manifest.schema.json) with python3-jsonschema.
# Prints every violation; exits 1 if any file fails, 2 on bad usage.
import json
import sys

import jsonschema


def main(argv):
    if len(argv) < 3:
        print("usage: validate-manifest.py SCHEMA FILE...", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for path in argv[2:]:
        with open(path) as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print("%s: %s: %s" % (path, where, e.message), file=sys.stderr)
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
