"""Validation throughput: ocppcert against raw lxml, side by side in one run.

Per corpus (see corpus.py), each contender validates the same 10,000 envelopes;
each is timed ``repeat`` times, interleaved, and its best time is kept, so that a
background hiccup hurts no one contender more than another.

In-process contenders:
- ``raw lxml``: parse + ``XMLSchema.validate`` of the same compiled schema (the baseline);
- ``ocppcert check()``: the full report: four named checks, header rules, and
  xmlschema's precise explanation of every failing body;
- ``ocppcert is_valid()``: the same verdict without the explanations.

Command-line contenders, on the same corpus written out as files:
- ``raw lxml CLI``: ``python bench/raw_lxml.py DIR``;
- ``ocppcert validate CLI``: ``ocppcert validate --format json DIR``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from corpus import KINDS, build_corpus, write_corpus
from raw_lxml import compiled_schema, validate_all

from ocppcert.schema import Validator

HERE = Path(__file__).resolve().parent
KINDS_RUN = KINDS


@dataclass
class Timing:
    contender: str
    corpus: str
    messages: int
    seconds: float  # best of the repeats
    valid: int  # how many the contender found valid (a sanity figure, not a score)

    @property
    def per_second(self) -> float:
        return self.messages / self.seconds


def _best(run: Callable[[], int], repeat: int) -> tuple[float, int]:
    best, result = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def in_process(kind: str, size: int, repeat: int) -> list[Timing]:
    messages = [data for _, data in build_corpus(kind, size)]
    schema = compiled_schema()
    validator = Validator()
    contenders: dict[str, Callable[[], int]] = {
        "raw lxml": lambda: validate_all(schema, messages),
        "ocppcert check()": lambda: sum(validator.check(m).valid for m in messages),
        "ocppcert is_valid()": lambda: sum(validator.is_valid(m) for m in messages),
    }
    for run in contenders.values():  # warm up: compile, caches, explainers
        run()
    best = {name: (float("inf"), 0) for name in contenders}
    for _ in range(repeat):
        for name, run in contenders.items():
            seconds, valid = _best(run, 1)
            best[name] = (min(best[name][0], seconds), valid)
    return [Timing(name, kind, len(messages), s, v) for name, (s, v) in best.items()]


def _run_cli(argv: list[str]) -> int:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()}")
    return len(done.stdout)


def command_line(kind: str, size: int, repeat: int) -> list[Timing]:
    corpus = build_corpus(kind, size)
    with tempfile.TemporaryDirectory(prefix="ocppcert-bench-") as tmp:
        directory = Path(tmp) / kind
        write_corpus(corpus, directory)
        ocppcert = str(Path(sys.executable).with_name("ocppcert"))
        contenders = {
            "raw lxml CLI": [sys.executable, str(HERE / "raw_lxml.py"), str(directory)],
            "ocppcert validate CLI": [ocppcert, "validate", "--format", "json", str(directory)],
        }
        best = {name: float("inf") for name in contenders}
        for _ in range(repeat):
            for name, argv in contenders.items():
                seconds, _ = _best(lambda argv=argv: _run_cli(argv), 1)
                best[name] = min(best[name], seconds)
    return [Timing(name, kind, len(corpus), s, -1) for name, s in best.items()]
