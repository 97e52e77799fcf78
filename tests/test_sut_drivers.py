"""Driving a SUT that is not the in-process reference: an operator at a terminal, and a
vendor adapter hooked in with --sut-adapter, against a charge point in another process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ocppcert.sut import ChargePointSut, ManualChargePointSut, load_adapter
from ocppcert.verdicts import CannotDrive
from tests.stations import station_process

ROOT = Path(__file__).resolve().parent.parent


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_an_operator_confirms_a_step_with_enter():
    out = io.StringIO()
    driver = ManualChargePointSut("CP-1", stream_in=_Terminal("\n"), stream_out=out, wait=5)
    await driver.plug_in(1)
    assert "plug a cable into connector 1" in out.getvalue()


async def test_an_operator_who_cannot_do_a_step_skips_it():
    driver = ManualChargePointSut("CP-1", stream_in=_Terminal("skip\n"),
                                  stream_out=io.StringIO(), wait=5)
    with pytest.raises(CannotDrive, match="could not"):
        await driver.present_id_tag("TAG1")


async def test_no_terminal_means_no_operator():
    driver = ManualChargePointSut("CP-1", stream_in=io.StringIO(), stream_out=io.StringIO())
    with pytest.raises(CannotDrive, match="not interactive"):
        await driver.power_cycle()


async def test_a_silent_operator_is_waited_for_a_bounded_time():
    read_end, write_end = os.pipe()
    with os.fdopen(read_end) as stream, os.fdopen(write_end, "w"):
        terminal = _Terminal()
        terminal.readline = stream.readline  # type: ignore[method-assign]
        driver = ManualChargePointSut("CP-1", stream_in=terminal, stream_out=io.StringIO(),
                                      wait=0.3)
        with pytest.raises(CannotDrive, match="within 0.3 s"):
            await driver.unplug(1)


async def test_what_no_driver_can_do_is_cannot_drive():
    with pytest.raises(CannotDrive, match="nobody here can"):
        await ChargePointSut().lock_failure(1)


def test_load_adapter_checks_what_it_loads(monkeypatch):
    monkeypatch.setenv("OCPPCERT_CONTROL_URL", "http://127.0.0.1:9/")
    driver = load_adapter("tests.adapters.control_api:make", identity="CP-9")
    assert (driver.identity, driver.control_url) == ("CP-9", "http://127.0.0.1:9")
    with pytest.raises(ValueError, match="module:factory"):
        load_adapter("tests.adapters.control_api")
    with pytest.raises(TypeError, match="not a ChargePointSut"):
        load_adapter("builtins:dict")


@pytest.fixture
def bench_station(tmp_path):
    """The reference charge point as another process (tests/stations.py)."""
    with station_process(tmp_path) as station:
        yield station


def _run_suite(tmp_path, harness_port, sut_url, *extra, env=None):
    report = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "suites/charge_point",
         "--ocpp", "1.6", "--sut-url", sut_url, "--sut-id", "CP-BENCH",
         "--listen", f"127.0.0.1:{harness_port}", "--report", str(report),
         "--report-formats", "none", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
        stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})})
    assert (report / "report.json").exists(), done.stdout[-3000:] + done.stderr[-3000:]
    return {c["id"]: c for c in json.loads((report / "report.json").read_text())["cases"]}


def test_a_vendor_adapter_drives_a_station_in_another_process(tmp_path, bench_station):
    harness_port, sut_url, control_url = bench_station
    verdicts = _run_suite(
        tmp_path, harness_port, sut_url, "--sut-adapter", "tests.adapters.control_api:make",
        "-k", "TC_019_CS or TC_040_1_CS or TC_028_CS or TC_001_CS",
        env={"OCPPCERT_CONTROL_URL": control_url})
    assert {i: v["verdict"] for i, v in verdicts.items()} == {
        "TC_019_CS": "PASS", "TC_040_1_CS": "PASS", "TC_028_CS": "PASS",
        # the bench adapter cannot power-cycle: SKIPPED with that reason, not hung
        "TC_001_CS": "SKIPPED"}
    assert "power-cycle" in verdicts["TC_001_CS"]["reason"]


def test_without_an_adapter_or_a_terminal_physical_steps_are_skipped(tmp_path, bench_station):
    harness_port, sut_url, _ = bench_station
    verdicts = _run_suite(tmp_path, harness_port, sut_url, "-k", "TC_001_CS or TC_040_1_CS")
    assert verdicts["TC_001_CS"]["verdict"] == "SKIPPED"
    assert "not interactive" in verdicts["TC_001_CS"]["reason"]
    assert verdicts["TC_040_1_CS"]["verdict"] == "PASS"
