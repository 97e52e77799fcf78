"""``ocppcert run``'s terminal output (ocppcert.progress), and the report it leaves.

Three real narrow runs of the reference Central System, started together (each renders
the whole report directory, the PDF too): plain, ``-q``, and one against a mutant whose
clock is a day behind (a FAIL). Their output goes to pipes, so the plain-line mode is what
is checked here; the live mode (a terminal) is exercised through a forced-terminal
console in-process.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from lxml import etree
from rich.console import Console

from ocppcert.progress import Progress, counts_text
from tests.conftest import ROOT

pytest_plugins = ["pytester"]

SELECT = ["-k", "TC_001 or SOAP_001"]
MUTANT = "tests.mutants.central_system.core:ClockADayBehind"
# the in-process runs: no cache, no hypothesis statistics (seconds of its own at the end)
INNER = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest",
         "-o", "asyncio_default_fixture_loop_scope=function")


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory
         ) -> dict[str, tuple[subprocess.CompletedProcess, Path]]:
    """Two runs at once: against a mutant (TC_001 FAILs, SOAP_001 PASSes), and quiet
    against the reference (both PASS)."""
    base = tmp_path_factory.mktemp("runs")
    variants = {"plain": ["--", *SELECT, "--reference-class", MUTANT],
                "quiet": ["-q", "--", *SELECT]}
    started = {}
    for name, tail in variants.items():
        report = base / name
        command = [sys.executable, "-m", "ocppcert.cli", "run", "--sut", "central-system",
                   "--ocpp", "1.6", "--report", str(report), *tail]
        started[name] = (subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE,
                                          stderr=subprocess.PIPE, text=True), report, command)
    done = {}
    for name, (process, report, command) in started.items():
        try:
            out, err = process.communicate(timeout=240)
        except subprocess.TimeoutExpired:
            process.kill()
            out, err = process.communicate()
        done[name] = (subprocess.CompletedProcess(command, process.returncode, out, err), report)
    return done


@pytest.mark.timeout(300)  # both runs start in the first one's setup
def test_run_shows_each_case_the_counts_the_table_and_the_report(runs) -> None:
    result, report = runs["plain"]
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-3000:]  # a FAIL
    err = result.stderr
    assert "ocppcert: 2 case(s) to run" in err
    lines = [line for line in err.splitlines() if re.match(r"\[\d/2\]", line)]
    assert len(lines) == 2, err
    failing = next(line for line in lines if "TC_001_CSMS" in line)
    assert "FAIL" in failing and "Cold Boot Charge Point" in failing
    assert "currentTime" in err  # the reason, under the case's line
    passing = next(line for line in lines if "V16_SOAP_001_CSMS" in line)
    assert " PASS " in passing
    # on each plain line: the counts so far and the clock
    assert re.search(r"\| 1 PASS, 1 FAIL \| \d+:\d\d$", lines[-1]), lines[-1]
    assert "verdicts per profile" in err
    assert re.search(r"Core\s+│\s+│\s+1\s+│\s+1", err) and re.search(r"SOAP\s+│\s+1\s+│", err)
    assert re.search(r"ocppcert: 2 case\(s\) in \d+:\d\d: 1 PASS, 1 FAIL", err)
    # pytest's own letters, progress and summary are silenced under ocppcert run
    both = result.stdout + err
    assert "[100%]" not in both and "passed in" not in both and "short test summary" not in both
    assert f"report: {report / 'report.json'}" in result.stdout
    assert "junit.xml" in result.stdout and "allure-results" in result.stdout
    junit = etree.parse(str(report / "junit.xml")).getroot()
    assert sorted(t.get("name") for t in junit.iter("testcase")) == [
        "TC_001_CSMS", "V16_SOAP_001_CSMS"]
    assert junit.get("failures") == "1"
    assert "currentTime" in junit.find(".//failure").get("message")
    assert len(list((report / "allure-results").glob("*-result.json"))) == 2
    assert "junit.xml" in (report / "SHA256SUMS").read_text()


@pytest.mark.timeout(300)  # both runs start in the first one's setup
def test_quiet_run_prints_one_summary_line_and_the_report(runs) -> None:
    result, report = runs["quiet"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    err_lines = [line for line in result.stderr.splitlines() if line.strip()]
    out_lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert len(err_lines) == 1 and re.fullmatch(
        r"ocppcert: 2 case\(s\) in \d+:\d\d: 2 PASS", err_lines[0]), result.stderr
    assert out_lines == [f"report: {report / 'report.json'}"]
    assert (report / "junit.xml").is_file()


# -- in-process, on plain pytest tests --------------------------------------------------------
PLAIN_TESTS = textwrap.dedent("""
    import pytest

    def test_good():
        pass

    def test_bad():
        assert 1 == 2, "one is not two"

    def test_skipped():
        pytest.skip("not here")

    @pytest.fixture
    def broken():
        raise RuntimeError("fixture exploded")

    def test_error(broken):
        pass
""")


def _console(terminal: bool) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, force_terminal=terminal, width=120, highlight=False,
                   color_system=None), buffer


def test_progress_on_plain_tests_replaces_pytest_output(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN_TESTS)
    console, buffer = _console(terminal=False)
    progress = Progress(console=console)
    result = pytester.runpytest_inprocess(*INNER, "-qq", "--no-header",
                                          "--no-summary", "-o", "console_output_style=classic",
                                          plugins=[progress])
    progress.finish()
    text = buffer.getvalue()
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # pytest still counts (the setup error among the failed reports)
    assert result.reprec.countoutcomes() == [1, 1, 2]
    assert not any(re.search(r"[.FsE]{2,}", line) for line in result.outlines), result.outlines
    assert re.search(r"\[1/4\] PASS\s+test_good", text)
    assert re.search(r"\[2/4\] FAIL\s+test_bad", text)
    assert re.search(r"\n\s+AssertionError: one is not two\n", text)
    assert re.search(r"\[3/4\] SKIPPED\s+test_skipped", text) and "not here" in text
    assert re.search(r"\[4/4\] ERROR\s+test_error", text)
    assert "fixture exploded" in text  # the traceback's tail under an ERROR
    assert "1 PASS, 1 FAIL, 1 ERROR, 1 SKIPPED" in text
    assert progress.counts == {"PASS": 1, "FAIL": 1, "ERROR": 1, "SKIPPED": 1}


def test_progress_quiet_prints_only_the_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN_TESTS)
    console, buffer = _console(terminal=True)
    progress = Progress(quiet=True, console=console)
    pytester.runpytest_inprocess(*INNER, plugins=[progress])
    progress.finish()
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("ocppcert: 4 case(s) in ")


def test_progress_live_mode_on_a_terminal(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain=PLAIN_TESTS)
    console, buffer = _console(terminal=True)
    progress = Progress(console=console)
    assert progress.live
    pytester.runpytest_inprocess(*INNER, plugins=[progress])
    progress.finish()
    text = buffer.getvalue()
    assert "test_bad" in text and "one is not two" in text
    assert "verdicts per profile" in text and "(not a case)" in text
    assert "| 1 PASS" not in text  # the live line carries the counts, not each case line


def test_collection_errors_are_shown_even_when_quiet(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_broken="import nowhere_to_be_found\n")
    console, buffer = _console(terminal=False)
    progress = Progress(quiet=True, console=console)
    result = pytester.runpytest_inprocess(*INNER, plugins=[progress])
    progress.finish()
    assert result.ret == pytest.ExitCode.INTERRUPTED
    assert "cannot collect test_broken.py" in buffer.getvalue()
    assert "nowhere_to_be_found" in buffer.getvalue()


def test_counts_text() -> None:
    from collections import Counter

    assert counts_text(Counter()) == "nothing yet"
    assert counts_text(Counter({"SKIPPED": 1, "PASS": 2})) == "2 PASS, 1 SKIPPED"
