"""The benchmark corpus: envelopes cycled from the fixture catalogue.

Two corpora of the same size:
- ``valid``: only the valid fixtures, which is what a conformance run mostly sees;
- ``mixed``: every fixture except the ``input`` group, in catalogue proportions
  (about 3 invalid to 1 valid), so failure explanations are paid for too.

The ``input`` group (oversized bodies, DTD bombs, non-XML) is left out: those tests
are about refusing input, and one 1 MiB body would dominate the timing.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "envelopes"
KINDS = ("valid", "mixed")


def fixture_entries(kind: str) -> list[dict]:
    catalog = json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]
    entries = [e for e in catalog if not e["file"].startswith("invalid/input/")]
    if kind == "valid":
        entries = [e for e in entries if e["expect"] == "valid"]
    elif kind != "mixed":
        raise ValueError(f"unknown corpus kind {kind!r}; one of {KINDS}")
    # Order by version/service/operation, so valid and invalid envelopes interleave and
    # any prefix of the corpus is a fair sample of it.
    return sorted(entries, key=lambda e: e["file"].partition("/")[2])


def build_corpus(kind: str, size: int = 10_000) -> list[tuple[str, bytes]]:
    """``size`` (name, envelope bytes) pairs, cycling through the fixtures in order."""
    entries = fixture_entries(kind)
    files = [(e["file"], (FIXTURES / e["file"]).read_bytes()) for e in entries]
    return list(itertools.islice(itertools.cycle(files), size))


def write_corpus(corpus: list[tuple[str, bytes]], directory: Path) -> list[Path]:
    """One file per message, numbered so that every copy is its own file."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (name, data) in enumerate(corpus):
        path = directory / f"{i:05d}-{Path(name).name}"
        path.write_bytes(data)
        paths.append(path)
    return paths
