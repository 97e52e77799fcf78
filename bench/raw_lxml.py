"""The baseline: raw lxml XMLSchema validation, nothing else.

It parses each message with a plain lxml parser and validates it against the very
schema the ocppcert validator compiles (SOAP envelope + WS-Addressing + all six
OCPP schemas), and keeps only the bool. As a script it is the command-line
counterpart of ``ocppcert validate``: ``python bench/raw_lxml.py DIR`` validates
every *.xml file under DIR and prints how many passed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from lxml import etree

from ocppcert.schema import Validator


def compiled_schema() -> etree.XMLSchema:
    return Validator().schema


def validate_all(schema: etree.XMLSchema, messages: list[bytes]) -> int:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    passed = 0
    for data in messages:
        try:
            passed += schema.validate(etree.fromstring(data, parser))
        except etree.XMLSyntaxError:
            pass
    return passed


def main(directory: str) -> int:
    paths = sorted(Path(directory).rglob("*.xml"))
    passed = validate_all(compiled_schema(), [p.read_bytes() for p in paths])
    print(f"{passed}/{len(paths)} valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
