"""The charge-point catalogue judges: every case PASSes against the reference charge point
and FAILs against each mutant that names it, and every case is named by some mutant.

Runs through ocppcert.selftest, as ``ocppcert selftest`` does: each run is a real
``python -m pytest suites/charge_point`` subprocess whose verdicts are read back from its
report.json. The runs go at once (they wait on protocol timers far more than they compute).
"""

from __future__ import annotations

import os

import pytest

from ocppcert.catalog import SutRole, load_catalogue
from ocppcert.selftest import SelftestResult, discover_mutants, selftest

MUTANTS = discover_mutants(SutRole.CHARGE_POINT)
CASE_IDS = sorted(i for c in load_catalogue(SutRole.CHARGE_POINT) for i in c.ids.values())
JOBS = int(os.environ.get("OCPPCERT_SELFTEST_JOBS", "4"))


@pytest.fixture(scope="module")
def outcome(request) -> SelftestResult:
    selected = {item.callspec.params["mutant"].name for item in request.session.items
                if hasattr(item, "callspec") and "mutant" in item.callspec.params}
    return selftest(SutRole.CHARGE_POINT, jobs=JOBS, only_mutants=selected)


@pytest.mark.timeout(1800)
def test_every_case_passes_against_the_reference(outcome):
    assert sorted(outcome.reference.verdicts) == CASE_IDS, outcome.reference.problem
    assert outcome.not_passing == {}
    for entry in outcome.reference.verdicts.values():
        assert entry["messages"], "a case with no wire evidence checked nothing"


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_each_mutant_fails_the_cases_it_names(outcome, mutant):
    assert set(mutant.kills) <= set(CASE_IDS), "a mutant names a case that does not exist"
    result = next(r for r in outcome.mutants if r.mutant.spec == mutant.spec)
    verdicts = {i: result.run.verdicts.get(i, {}).get("verdict") for i in mutant.kills}
    assert verdicts == {i: "FAIL" for i in mutant.kills}, result.run.problem


def test_every_case_is_killed_by_some_mutant():
    named = {i for m in MUTANTS for i in m.kills}
    assert sorted(set(CASE_IDS) - named) == []
    assert MUTANTS, "no mutants found"
