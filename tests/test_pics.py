"""PICS: reading the TOML, requirements, and fitting the reference to a case."""

from __future__ import annotations

import pytest

from ocppcert.pics import (
    Pics,
    PicsError,
    connectors,
    feature,
    fitting,
    fixed_cable,
    no_feature,
    no_profile,
    profile,
)
from ocppcert.sut.reference import traits_for


def test_load_reads_capabilities(tmp_path):
    path = tmp_path / "pics.toml"
    path.write_text('[sut]\nrole = "charge-point"\nocpp_version = "1.6"\nvendor = "Acme"\n'
                    '[capabilities]\nprofiles = ["Core", "Reservation"]\nconnectors = 1\n'
                    'fixed_cable = true\nfeatures = ["authorization_cache"]\n')
    pics = Pics.load(path)
    assert (pics.vendor, pics.ocpp_version, pics.connectors, pics.fixed_cable) == (
        "Acme", "1.6", 1, True)
    assert pics.profiles == {"Core", "Reservation"}
    assert pics.features == {"authorization_cache"}


@pytest.mark.parametrize("text", ['[capabilities]\nprofiles = ["Teleport"]\n',
                                  '[capabilities]\nfeatures = ["flying"]\n', "not toml ["])
def test_load_rejects_what_it_cannot_understand(tmp_path, text):
    path = tmp_path / "pics.toml"
    path.write_text(text)
    with pytest.raises(PicsError):
        Pics.load(path)


def test_fitting_changes_just_enough_for_every_requirement():
    base = Pics()
    fitted = fitting(base, [no_profile("Reservation"), fixed_cable(True),
                            no_feature("backup_power"), connectors(3)])
    assert "Reservation" not in fitted.profiles and "Core" in fitted.profiles
    assert (fitted.fixed_cable, fitted.connectors) == (True, 3)
    assert "backup_power" not in fitted.features and "authorization_cache" in fitted.features
    assert fitting(base, [profile("Core"), feature("local_stop")]) is base


def test_contradicting_requirements_are_refused():
    with pytest.raises(ValueError, match="contradictory"):
        fitting(Pics(), [profile("Reservation"), no_profile("Reservation")])


def test_the_reference_station_is_built_to_the_pics():
    traits = traits_for(fitting(Pics(), [no_profile("LocalAuthListManagement"),
                                         fixed_cable(True), no_feature("authorization_cache")]))
    assert "LocalAuthListManagement" not in traits.feature_profiles
    assert "Core" in traits.feature_profiles
    assert traits.fixed_cable and not traits.authorization_cache
    assert traits_for(Pics()).backup_power


def test_the_example_pics_files_load():
    from pathlib import Path

    examples = sorted((Path(__file__).resolve().parent.parent / "fixtures" / "pics").glob("*.toml"))
    assert len(examples) >= 3
    loaded = {p.stem: Pics.load(p) for p in examples}
    assert loaded["core-only-fixed-cable"].profiles == {"Core"}
    assert loaded["core-only-fixed-cable"].fixed_cable
    assert loaded["legacy-1.5-station"].ocpp_version == "1.5"
