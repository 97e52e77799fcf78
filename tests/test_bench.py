"""The benchmark runs end to end on a small corpus and its figures are coherent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_every_contender_agrees_on_the_valid_corpus(tmp_path):
    before = set((ROOT / "bench" / "results").glob("validate-*.json"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--only", "validate", "--messages", "60", "--repeat", "1"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr
    written = set((ROOT / "bench" / "results").glob("validate-*.json")) - before
    assert len(written) == 1
    result = json.loads(written.pop().read_text())
    rows = {(r["corpus"], r["contender"]): r for r in result["results"]}
    assert {c for _, c in rows} == {
        "raw lxml", "ocppcert check()", "ocppcert is_valid()", "raw lxml CLI",
        "ocppcert validate CLI",
    }
    for contender in ("raw lxml", "ocppcert check()", "ocppcert is_valid()"):
        assert rows[("valid", contender)]["found_valid"] == 60
    # The mixed corpus holds invalid fixtures too; ocppcert's header rules reject some that
    # the schema alone lets through, so it can find fewer valid than raw lxml, never more.
    mixed = {c: rows[("mixed", c)]["found_valid"] for c in ("raw lxml", "ocppcert check()")}
    assert 0 < mixed["ocppcert check()"] <= mixed["raw lxml"] < 60
    for row in result["results"]:
        assert row["per_second"] > 0 and row["ratio_to_raw_lxml"] > 0
