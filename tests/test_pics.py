"""PICS: reading the TOML, requirements, and fitting the reference to a case."""

from __future__ import annotations

import pytest

from ocppcert.pics import (
    Pics,
    PicsError,
    SmartChargingLimits,
    connectors,
    feature,
    file_transfer,
    fitting,
    fixed_cable,
    no_feature,
    no_profile,
    profile,
    smart_charging_capacity,
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


def test_load_reads_protocols_smart_charging_limits_and_actions(tmp_path):
    path = tmp_path / "pics.toml"
    path.write_text('[capabilities]\nfile_transfer_protocols = ["ftp", "HTTP"]\n'
                    'manual_actions = ["plug_in", "power_cycle"]\n'
                    '[capabilities.smart_charging]\nmax_profiles = 3\nmax_periods = 5\n'
                    'max_stack_level = 0\nallowed_rate_units = ["Current"]\n')
    pics = Pics.load(path)
    assert pics.file_transfer_protocols == {"FTP", "HTTP"}
    assert pics.manual_actions == {"plug_in", "power_cycle"}
    limits = pics.smart_charging
    assert (limits.max_profiles, limits.max_periods, limits.max_stack_level) == (3, 5, 0)
    assert limits.allowed_rate_units == {"A"}
    document = pics.as_dict()
    assert document["file_transfer_protocols"] == ["FTP", "HTTP"]
    assert document["smart_charging"] == {"max_profiles": 3, "max_periods": 5,
                                          "max_stack_level": 0, "allowed_rate_units": ["A"]}


def test_what_a_file_leaves_out_is_assumed_supported(tmp_path):
    path = tmp_path / "pics.toml"
    path.write_text('[sut]\nvendor = "Acme"\n')
    pics = Pics.load(path)
    assert pics.file_transfer_protocols == {"FTP", "FTPS", "HTTP", "HTTPS"}
    assert pics.smart_charging.allows(profiles=99, periods=99, stack_level=99)
    assert pics.source == str(path)


@pytest.mark.parametrize(("text", "message"), [
    ('[capabilities]\nfile_transfer_protocols = ["SCP"]\n', r"unknown protocol\(s\) \['SCP'\]"),
    ('[capabilities]\nfile_transfer_protocols = "HTTP"\n', "not a list of names"),
    ('[capabilities]\nmanual_actions = ["dance"]\n', r"unknown action\(s\) \['dance'\]"),
    ('[capabilities]\nfixed_cabel = true\n', r"unknown key\(s\) \['fixed_cabel'\]"),
    ('[capabilities]\nfixed_cable = "no"\n', "fixed_cable = 'no': not true or false"),
    ('[capabilities]\nconnectors = 0\n', "not a whole number >= 1"),
    ('[capabilities]\nprofiles = ["Reservation"]\n', "supports Core"),
    ('[sut]\nocpp_version = 1.6\n', "a string, in quotes"),
    ('[sut]\nrole = "wallbox"\n', "not one of charge-point, central-system"),
    ('[capabilities.smart_charging]\nmax_periods = 0\n', "max_periods = 0: not a whole number"),
    ('[capabilities.smart_charging]\nmax_stack_level = -1\n', "max_stack_level = -1"),
    ('[capabilities.smart_charging]\nallowed_rate_units = ["kW"]\n', r"unknown unit\(s\)"),
    ('[capabilities.smart_charging]\nallowed_rate_units = []\n', "not a list of A and/or W"),
    ('[capabilities.smart_charging]\nmax_power = 11\n', r"unknown key\(s\) \['max_power'\]"),
    ('[station]\nvendor = "Acme"\n', r"unknown key\(s\) \['station'\]"),
])
def test_load_explains_what_is_wrong(tmp_path, text, message):
    path = tmp_path / "pics.toml"
    path.write_text(text)
    with pytest.raises(PicsError, match=message) as caught:
        Pics.load(path)
    assert str(path) in str(caught.value)


def test_file_transfer_and_smart_charging_requirements():
    ftp_only = Pics(file_transfer_protocols=frozenset({"FTP"}),
                    smart_charging=SmartChargingLimits(max_profiles=2, max_stack_level=1))
    http = file_transfer("http")
    assert not http.holds(ftp_only) and http.holds(Pics())
    assert str(http) == "transfers files over HTTP"
    three = smart_charging_capacity(profiles=3, periods=5)
    assert not three.holds(ftp_only) and three.holds(Pics())
    assert smart_charging_capacity(profiles=2, stack_level=1).holds(ftp_only)
    assert not smart_charging_capacity(profiles=2, stack_level=2).holds(ftp_only)
    fitted = fitting(ftp_only, [http, three])
    assert "HTTP" in fitted.file_transfer_protocols
    assert fitted.smart_charging.max_profiles == 3
    assert fitted.smart_charging.max_periods is None  # no limit stays no limit
    with pytest.raises(ValueError):
        file_transfer("SCP")


def test_the_new_example_pics_files_say_what_they_claim():
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "fixtures" / "pics"
    legacy = Pics.load(folder / "legacy-1.5-station.toml")
    assert not file_transfer("HTTP").holds(legacy)
    wallbox = Pics.load(folder / "smart-charging-wallbox.toml")
    assert wallbox.smart_charging.allowed_rate_units == {"A"}
    assert not smart_charging_capacity(profiles=3, periods=5).holds(wallbox)
    assert smart_charging_capacity(profiles=2, periods=3, stack_level=1).holds(wallbox)
    reference = Pics.load(folder / "reference-charge-point.toml")
    assert reference.file_transfer_protocols == {"HTTP"}
    assert reference.smart_charging.max_profiles == 20


def test_a_run_with_a_pics_marks_what_it_rules_out_not_applicable(tmp_path):
    """For real: the suite against the reference, under the smart-charging wallbox's PICS."""
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    pics_file = root / "fixtures" / "pics" / "smart-charging-wallbox.toml"
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suites/charge_point",
         "--ocpp", "1.6", "--pics", str(pics_file), "--report", str(report),
         "--report-formats", "none", "-k", "TC_066_CS or TC_067_CS or TC_044_1_CS or TC_019_CS"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL)
    assert (report / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads((report / "report.json").read_text())
    cases = {c["id"]: c for c in document["cases"]}
    assert {i: c["verdict"] for i, c in cases.items()} == {
        "TC_066_CS": "NOT_APPLICABLE", "TC_067_CS": "NOT_APPLICABLE", "TC_044_1_CS": "PASS",
        "TC_019_CS": "PASS"}
    assert "holds 3 charging profile(s) of 5 period(s)" in cases["TC_066_CS"]["reason"]
    assert "up to stack level 2" in cases["TC_067_CS"]["reason"]
    assert str(pics_file) in cases["TC_066_CS"]["reason"]  # the reason names the PICS
    sut = document["sut"]
    assert sut["pics"]["source"] == str(pics_file)
    assert sut["pics"]["smart_charging"]["max_profiles"] == 2
    # the identity is what the SUT said in its BootNotification, not what the PICS claims
    assert sut["identity"]["model"] == "ReferenceCP"
    assert sut["identity_source"].startswith("BootNotification #")
