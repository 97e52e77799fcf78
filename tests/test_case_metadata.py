"""The case decorator: ids per version, and the mistakes it refuses."""

from __future__ import annotations

import pytest

from ocppcert.catalog import CATALOGUE, case, own_id
from ocppcert.versions import OcppVersion


@pytest.fixture(autouse=True)
def _clean_catalogue():
    before = dict(CATALOGUE)
    yield
    CATALOGUE.clear()
    CATALOGUE.update(before)


def _make(octt: str):
    async def made(cs, charge_point, case_version):
        """A requirement."""

    return case(octt=octt, title="t", sut="charge-point", profile="Core", spec="§1")(made)


def test_ids_name_the_version_and_mirror_the_octt_case():
    entry = _make("TC_901_CS").__ocpp_case__
    assert entry.ids == {OcppVersion.V16: "TC_901_CS", OcppVersion.V15: "V15_901_CS",
                         OcppVersion.V12: "V12_901_CS"}
    assert entry.octt_id == "TC_901_CS" and own_id(OcppVersion.V15, "TC_902_1_CSMS") == \
        "V15_902_1_CSMS"


def test_cases_made_by_one_factory_need_names_of_their_own():
    _make("TC_903_CS")
    with pytest.raises(ValueError, match="its own name"):
        _make("TC_904_CS")


def test_a_case_without_docstring_or_with_a_taken_id_is_refused():
    async def undocumented(cs):
        pass

    with pytest.raises(ValueError, match="docstring"):
        case(own="X_001_CS", title="t", sut="charge-point", profile="Core", spec="§1")(
            undocumented)
    _make("TC_905_CS")

    async def other(cs):
        """Another requirement."""

    with pytest.raises(ValueError, match="used by"):
        case(octt="TC_905_CS", title="t", sut="charge-point", profile="Core", spec="§1")(other)


def test_suites_import_each_other_relatively():
    # Installed, suites/ is the package ocppcert._suites: an absolute "suites." import
    # works in a checkout and breaks every installed run.
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "suites"
    offenders = [str(p.relative_to(root)) for p in root.rglob("*.py")
                 if re.search(r"^\s*(from|import) (suites|tests)\b", p.read_text(), re.M)]
    assert offenders == []
