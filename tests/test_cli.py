"""`ocppcert validate` as CONTRACT.md states it: inputs, formats, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES

VALID = FIXTURES / "valid/1.5/CentralSystemService/Authorize.request.xml"
INVALID = FIXTURES / "invalid/1.5/CentralSystemService/Authorize.request.too-long-idTag.xml"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ocppcert.cli", "validate", *args],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True, text=True, timeout=120,
    )


def test_valid_file_exits_0() -> None:
    result = run(str(VALID))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("VALID")
    assert "1 message(s): 1 valid, 0 invalid" in result.stdout


def test_invalid_file_exits_1_with_the_reason() -> None:
    result = run(str(INVALID))
    assert result.returncode == 1
    assert "INVALID" in result.stdout
    assert "idTag: value length cannot be greater than 20" in result.stdout


def test_directory_takes_every_xml_below_it() -> None:
    result = run(str(FIXTURES / "valid" / "1.2"))
    assert result.returncode == 0, result.stdout[-2000:]
    count = len(list((FIXTURES / "valid" / "1.2").rglob("*.xml")))
    assert f"{count} message(s): {count} valid, 0 invalid" in result.stdout


def test_stdin() -> None:
    assert run("-", stdin=VALID.read_bytes()).returncode == 0
    result = run("-", stdin=b"<nonsense")
    assert result.returncode == 1 and "not well-formed" in result.stdout


def test_json_output_shape() -> None:
    result = run("--format", "json", str(VALID), str(INVALID))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert [d["valid"] for d in data] == [True, False]
    for item in data:
        assert {"path", "valid", "ocpp_version", "service", "operation", "kind", "violations"} <= set(item)
        assert item["ocpp_version"] == "1.5"
        assert item["service"] == "CentralSystemService"
        assert item["operation"] == "Authorize"
        assert item["kind"] == "request"
    (violation,) = data[1]["violations"]
    assert {"where", "reason", "line"} <= set(violation)
    assert violation["where"] == "/Envelope/Body/authorizeRequest/idTag"
    assert isinstance(violation["line"], int)


def test_forced_version() -> None:
    assert run("--ocpp", "1.5", str(VALID)).returncode == 0
    result = run("--ocpp", "1.6", str(VALID))
    assert result.returncode == 1 and "OCPP 1.5 body" in result.stdout


def test_strict_flag() -> None:
    cxf = FIXTURES / "valid/1.6/transport/cs-BootNotification.response.cxf-qualified-action.xml"
    relaxed = run(str(cxf))
    assert relaxed.returncode == 0 and "warning [headers]" in relaxed.stdout
    assert run("--strict", str(cxf)).returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["does-not-exist.xml"], "no such file or directory"),
        (["--schemas", "/nonexistent-schema-dir", "x"], "does not exist"),
    ],
)
def test_environment_errors_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert result.stdout == ""


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    result = run(str(tmp_path))
    assert result.returncode == 2 and "no *.xml files" in result.stderr


def test_usage_error_exits_2() -> None:
    assert run("--format", "yaml", str(VALID)).returncode == 2
    assert run().returncode == 2


def test_oversize_message_is_invalid_not_a_crash(tmp_path: Path) -> None:
    big = tmp_path / "big.xml"
    big.write_bytes(b"<a>" + b"x" * (2 * 1024 * 1024) + b"</a>")
    result = run(str(big))
    assert result.returncode == 1
    assert "exceeds the limit of 1048576 bytes" in result.stdout
    assert run("--max-bytes", "100", str(VALID)).returncode == 1


def test_selftest_runs_the_reference_and_a_mutant_and_reports_the_kill_rate(tmp_path):
    import json
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "ocppcert", "selftest", "--sut", "charge-point", "--ocpp", "1.2",
         "--mutant", "UnlocksAnyConnector", "--report", str(tmp_path)],
        capture_output=True, text=True, timeout=600, check=False)
    summary = json.loads((tmp_path / "selftest.json").read_text())[0]
    assert summary["role"] == "charge-point"
    assert summary["passed"] == summary["cases"] > 0, summary["not_passing"]
    assert (summary["mutants"], summary["mutants_killed"]) == (1, 1)
    assert summary["cases_killed"] == 1 and 0 < summary["kill_rate"] < 1
    assert done.returncode == 0, done.stderr[-2000:]
