"""The catalogues judge: every case PASSes against the reference implementation of its SUT
role and FAILs against each mutant that names it, and every case is named by some mutant.

Runs through ocppcert.selftest, as ``ocppcert selftest`` does: each run is a real
``python -m pytest suites/<role>`` subprocess whose verdicts are read back from its
report.json. The runs go side by side (they wait on protocol timers far more than they
compute); only the roles and mutants selected in this pytest session run.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import pytest

from ocppcert.catalog import SutRole, load_catalogue
from ocppcert.selftest import SelftestResult, discover_mutants, selftest

ROLES = list(SutRole)
MUTANTS = {role: discover_mutants(role) for role in ROLES}
CASE_IDS = {role: sorted(i for c in load_catalogue(role) for i in c.ids.values())
            for role in ROLES}
JOBS = int(os.environ.get("OCPPCERT_SELFTEST_JOBS", "10"))
MUTANT_PARAMS = [pytest.param(role, m, id=f"{role.value}-{m.name}")
                 for role in ROLES for m in MUTANTS[role]]


@pytest.fixture(scope="module")
def outcomes(request) -> dict[SutRole, SelftestResult]:
    wanted: dict[SutRole, set[str]] = {}
    for item in request.session.items:
        params = getattr(item, "callspec", None) and item.callspec.params
        if params and "role" in params and item.module is request.module:
            names = wanted.setdefault(params["role"], set())
            if "mutant" in params:
                names.add(params["mutant"].name)
    with ThreadPoolExecutor(max_workers=max(1, len(wanted))) as pool:
        futures = {role: pool.submit(selftest, role, jobs=JOBS, only_mutants=names)
                   for role, names in wanted.items()}
        return {role: future.result() for role, future in futures.items()}


@pytest.mark.timeout(1800)
@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_case_passes_against_the_reference(outcomes, role):
    outcome = outcomes[role]
    assert sorted(outcome.reference.verdicts) == CASE_IDS[role], outcome.reference.problem
    assert outcome.not_passing == {}
    for entry in outcome.reference.verdicts.values():
        assert entry["messages"], "a case with no wire evidence checked nothing"


@pytest.mark.timeout(1800)
@pytest.mark.parametrize(("role", "mutant"), MUTANT_PARAMS)
def test_each_mutant_fails_the_cases_it_names(outcomes, role, mutant):
    assert set(mutant.kills) <= set(CASE_IDS[role]), "a mutant names a case that does not exist"
    result = next(r for r in outcomes[role].mutants if r.mutant.spec == mutant.spec)
    verdicts = {i: result.run.verdicts.get(i, {}).get("verdict") for i in mutant.kills}
    assert verdicts == {i: "FAIL" for i in mutant.kills}, result.run.problem


@pytest.mark.parametrize("role", ROLES, ids=[r.value for r in ROLES])
def test_every_case_is_killed_by_some_mutant(role):
    assert MUTANTS[role], "no mutants found"
    named = {i for m in MUTANTS[role] for i in m.kills}
    assert sorted(set(CASE_IDS[role]) - named) == []
