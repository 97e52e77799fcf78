"""The charge-point catalogue judges: every case PASSes against the reference charge point
and FAILs against each mutant that names it, and every case is named by some mutant.

Each run is a real ``python -m pytest suites/charge_point`` subprocess whose verdicts are
read back from its report.json, as a user would read them.
"""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ocppcert.catalog import SutRole, load_catalogue
from tests.mutants import charge_point as mutants

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = [cls for _, cls in inspect.getmembers(mutants, inspect.isclass)
           if cls.__module__ == mutants.__name__ and hasattr(cls, "KILLS")]
CASE_IDS = sorted(i for c in load_catalogue(SutRole.CHARGE_POINT) for i in c.ids.values())


def _run(tmp_path: Path, *extra: str) -> dict[str, dict]:
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suites/charge_point",
         "--report", str(report), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert (report / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    cases = json.loads((report / "report.json").read_text())["cases"]
    return {c["id"]: c for c in cases}


def test_every_case_passes_against_the_reference(tmp_path):
    verdicts = _run(tmp_path)
    assert sorted(verdicts) == CASE_IDS
    failing = {i: (c["verdict"], c["reason"]) for i, c in verdicts.items() if c["verdict"] != "PASS"}
    assert failing == {}
    for entry in verdicts.values():
        assert entry["messages"], "a case with no wire evidence checked nothing"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.__name__ for m in MUTANTS])
def test_each_mutant_fails_the_cases_it_names(tmp_path, mutant):
    assert set(mutant.KILLS) <= set(CASE_IDS), "a mutant names a case that does not exist"
    verdicts = _run(tmp_path, "--reference-class",
                    f"{mutant.__module__}:{mutant.__name__}", "-k", " or ".join(mutant.KILLS))
    assert {i: verdicts[i]["verdict"] for i in mutant.KILLS} == {i: "FAIL" for i in mutant.KILLS}


def test_every_case_is_killed_by_some_mutant():
    killed = {i for m in MUTANTS for i in m.KILLS}
    assert sorted(set(CASE_IDS) - killed) == []
