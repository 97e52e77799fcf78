"""A PICS derived from the SUT (BootNotification, GetConfiguration) when no file is given,
and the SUT's identity in the report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ocppcert.derive import SOURCE, boot_fields, derive_pics, first_boot, sut_identity
from ocppcert.pics import FEATURES, PROFILES, Pics
from ocppcert.transport import Direction, WireRecord
from ocppcert.versions import OcppVersion
from tests.stations import station_process

ROOT = Path(__file__).resolve().parent.parent

BOOT = {"chargePointVendor": "Acme", "chargePointModel": "Wallbox One",
        "chargePointSerialNumber": "SN-42", "firmwareVersion": "2.4.1"}
CONFIGURATION_16 = {
    "SupportedFeatureProfiles": "Core,Reservation,SmartCharging,Teleport",
    "NumberOfConnectors": "1",
    "AuthorizationCacheEnabled": "true",
    "ReserveConnectorZeroSupported": "false",
    "SupportedFileTransferProtocols": "ftp,HTTPS",
    "ChargeProfileMaxStackLevel": "3",
    "ChargingScheduleAllowedChargingRateUnit": "Power",
    "ChargingScheduleMaxPeriods": "24",
    "MaxChargingProfilesInstalled": "not a number",
}


def test_a_1_6_station_is_derived_from_its_keys():
    pics = derive_pics(BOOT, CONFIGURATION_16, "1.6")
    assert pics.source == SOURCE
    assert (pics.vendor, pics.model, pics.firmware, pics.ocpp_version) == (
        "Acme", "Wallbox One", "2.4.1", "1.6")
    assert pics.profiles == {"Core", "Reservation", "SmartCharging"}  # Teleport dropped
    assert pics.connectors == 1
    assert "authorization_cache" in pics.features
    # 1.6 §9: an optional boolean key that is absent is a feature that is absent
    assert "unknown_offline_authorization" not in pics.features
    assert "reserve_connector_zero" not in pics.features  # present, but false
    assert pics.file_transfer_protocols == {"FTP", "HTTPS"}
    limits = pics.smart_charging
    assert (limits.max_stack_level, limits.max_periods, limits.max_profiles) == (3, 24, None)
    assert limits.allowed_rate_units == {"W"}
    derived, assumed = " | ".join(pics.derived), set(pics.assumed)
    assert "connectors (NumberOfConnectors = 1)" in pics.derived
    assert "no unknown_offline_authorization (AllowOfflineTxForUnknownId absent)" in derived
    assert "smart_charging.max_profiles" in assumed  # its value could not be read
    assert {"fixed_cable", "backup_power", "lock_failure"} <= assumed
    assert not {"connectors", "profiles", "vendor"} & assumed


def test_what_cannot_be_read_keeps_the_permissive_default():
    pics = derive_pics(BOOT, None, "1.6")  # GetConfiguration failed
    assert pics.source.startswith("derived from BootNotification (GetConfiguration not read")
    assert pics.vendor == "Acme"
    default = Pics()
    assert (pics.profiles, pics.features, pics.connectors) == (
        default.profiles, default.features, default.connectors)
    assert {"profiles", "connectors", "authorization_cache", "file_transfer_protocols"} <= set(
        pics.assumed)
    nothing = derive_pics(None, None, None)
    assert nothing.source.startswith("nothing derived")
    assert "ocpp_version" in nothing.assumed and nothing.ocpp_version is None


def test_in_1_5_an_absent_key_proves_nothing():
    pics = derive_pics({"chargePointVendor": "Acme", "chargePointModel": "Twin 15"},
                       {"NumberOfConnectors": "2"}, OcppVersion.V15)
    assert pics.features == frozenset(FEATURES)
    assert pics.profiles == frozenset(PROFILES)
    assert "authorization_cache" in pics.assumed and "firmware" in pics.assumed
    assert pics.firmware is None and pics.ocpp_version == "1.5"


def test_the_derived_pics_says_what_was_derived_in_the_report():
    document = derive_pics(BOOT, CONFIGURATION_16, "1.6").as_dict()
    assert document["source"] == SOURCE
    assert "connectors (NumberOfConnectors = 1)" in document["derived"]
    assert "fixed_cable" in document["assumed"]
    assert "derived" not in Pics().as_dict()  # a file or the default has no such lists
    json.dumps(document)


def _boot_record(seq: int, fields: dict[str, str], version: OcppVersion = OcppVersion.V16,
                 direction: Direction = Direction.IN) -> WireRecord:
    body = "".join(f"<cs:{k}>{v}</cs:{k}>" for k, v in fields.items())
    data = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
            'xmlns:cs="urn://Ocpp/Cs/2015/10/"><s:Header><cs:chargeBoxIdentity>CP-1'
            '</cs:chargeBoxIdentity></s:Header><s:Body><cs:bootNotificationRequest>'
            f'{body}</cs:bootNotificationRequest></s:Body></s:Envelope>').encode()
    return WireRecord(seq, None, direction, data, None, ocpp_version=version.value,
                      operation="BootNotification", kind="request")


def test_boot_fields_are_read_from_the_envelope():
    record = _boot_record(3, BOOT)
    assert boot_fields(record.data) == BOOT
    assert boot_fields(b"<not xml") == {}


def test_identity_comes_from_the_first_boot_notification_else_the_pics():
    pics = Pics(vendor="FromPics", model="M", firmware="9", source="fixtures/pics/x.toml")
    early = _boot_record(2, {**BOOT, "chargePointSerialNumber": "",
                             "chargeBoxSerialNumber": "BOX-7"})
    later = SimpleNamespace(id="TC_001_CS", messages=[
        _boot_record(9, {**BOOT, "firmwareVersion": "3.0"}),
        _boot_record(10, BOOT, direction=Direction.OUT)])
    identity, where = sut_identity([later], pics, role="charge-point", before=[early])
    assert identity == {"vendor": "Acme", "model": "Wallbox One", "serial": "BOX-7",
                        "firmware": "2.4.1"}
    assert where == "BootNotification #2, sent by the SUT before the first case"
    identity, where = sut_identity([later], pics, role="charge-point")
    assert (identity["firmware"], where) == ("3.0", "BootNotification #9 of case TC_001_CS")
    identity, where = sut_identity([], pics, role="charge-point")
    assert identity == {"vendor": "FromPics", "model": "M", "serial": None, "firmware": "9"}
    assert where == "PICS (fixtures/pics/x.toml)"
    identity, where = sut_identity([later], pics, role="central-system",
                                   url="http://cs.example/ocpp")
    assert identity["vendor"] == "FromPics"  # a Central System sends no BootNotification
    assert where.endswith("the Central System at http://cs.example/ocpp")
    assert sut_identity([], Pics(), role="central-system")[1] == "unknown"
    assert first_boot([later.messages[1], early, later.messages[0]]) is early


# -- for real: the suite against a station in another process, without a PICS ---------------

@pytest.fixture
def one_connector_station(tmp_path):
    """The reference charge point as another process, with ONE connector."""
    with station_process(tmp_path, "--connectors", "1") as station:
        yield station


def test_without_a_pics_the_suite_derives_one_from_the_station(tmp_path,
                                                               one_connector_station):
    harness_port, sut_url, control_url = one_connector_station
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suites/charge_point",
         "--ocpp", "1.6", "--sut-url", sut_url, "--sut-id", "CP-BENCH",
         "--sut-adapter", "tests.adapters.control_api:make",
         "--listen", f"127.0.0.1:{harness_port}", "--report", str(report),
         "--report-formats", "none", "-k", "TC_019_CS or V16_OFFLINE_005_CS"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL, env={**os.environ, "OCPPCERT_CONTROL_URL": control_url})
    assert (report / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    document = json.loads((report / "report.json").read_text())
    sut, cases = document["sut"], {c["id"]: c for c in document["cases"]}
    pics = sut["pics"]
    assert pics["source"] == SOURCE
    assert pics["connectors"] == 1 and pics["ocpp_version"] == "1.6"
    assert pics["profiles"] == sorted(PROFILES)  # the reference station has them all
    assert pics["file_transfer_protocols"] == ["HTTP"]
    assert pics["smart_charging"]["allowed_rate_units"] == ["A", "W"]
    assert "connectors (NumberOfConnectors = 1)" in pics["derived"]
    assert "fixed_cable" in pics["assumed"]
    assert (pics["vendor"], pics["model"]) == ("ocppcert", "ReferenceCP")
    assert sut["identity"]["vendor"] == "ocppcert" and sut["identity"]["serial"]
    assert sut["identity_source"].startswith("BootNotification #")
    evidence = [(m["direction"], m["operation"], m["kind"]) for m in sut["evidence"]]
    assert ("in", "BootNotification", "request") in evidence
    assert ("in", "GetConfiguration", "response") in evidence
    assert cases["TC_019_CS"]["verdict"] == "PASS"
    skipped = cases["V16_OFFLINE_005_CS"]
    assert skipped["verdict"] == "NOT_APPLICABLE"
    assert "at least 2 connectors" in skipped["reason"] and SOURCE in skipped["reason"]


def test_the_reference_says_it_had_no_pics_and_names_itself(tmp_path):
    """For real: without --pics the report says the reference was the SUT, not a PICS."""
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "suites/central_system", "--ocpp", "1.6", "--report", str(report),
         "--report-formats", "none", "-k", "V16_SOAP_001_CSMS"],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        stdin=subprocess.DEVNULL)
    assert (report / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    sut = json.loads((report / "report.json").read_text())["sut"]
    assert sut["pics"]["source"] == ("no PICS: the bundled reference Central System, to which "
                                     "every case applies")
    assert sut["pics"]["role"] == "central-system"
    assert sut["identity"]["vendor"] == "ocppcert"
    assert sut["identity_source"] == "the bundled reference Central System, in process"
