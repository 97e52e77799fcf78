"""What ``ocppcert run`` shows on the terminal while the cases run, and at the end.

A pytest plugin object (this module and :mod:`ocppcert.plugin` are the only library
modules that import pytest). ``ocppcert run`` registers it; a plain ``pytest suites/`` does
not, and keeps pytest's own output. On stderr:

- on a terminal: a live line (rich) with the current case, a bar, the count per verdict so
  far and the elapsed time, and one line per finished case above it;
- elsewhere (CI logs, pipes): one plain line per finished case, with the same counts;
- quiet: nothing while running;
- at the end: a table of verdicts per profile (quiet: one summary line).

While it shows progress, pytest's own per-test letters and summary are silenced (the
reason of every case that did not pass is in our lines; an ERROR also gets the tail of its
traceback). Collection errors and pytest-timeout's stack dumps still reach the terminal.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
from rich.progress import Progress as Bar
from rich.table import Table

VERDICTS = ("PASS", "FAIL", "ERROR", "PARTIAL", "NOT_APPLICABLE", "SKIPPED")
STYLE = {"PASS": "green", "FAIL": "bold red", "ERROR": "bold magenta", "PARTIAL": "yellow",
         "NOT_APPLICABLE": "dim", "SKIPPED": "cyan"}
TRACE_LINES = 12  # lines of an ERROR's traceback shown under its line


def _clock(seconds: float) -> str:
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}"


def counts_text(counts: Counter[str]) -> str:
    """``"12 PASS, 1 FAIL"``: the verdicts seen so far, in the usual order."""
    return ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v]) or "nothing yet"


class Progress:
    """The pytest plugin behind ``ocppcert run``'s terminal output.

    ``quiet``: only :meth:`finish`'s one line. ``per_case``: False when pytest's own
    verbose output was asked for (``-- -v``): then only the final table is ours.
    """

    def __init__(self, *, quiet: bool = False, per_case: bool = True,
                 console: Console | None = None) -> None:
        self.console = console or Console(stderr=True, highlight=False)
        self.quiet = quiet
        self.per_case = per_case and not quiet
        self.live = self.per_case and self.console.is_terminal
        self.silence_pytest = per_case or quiet
        self.total = 0
        self.done = 0
        self.counts: Counter[str] = Counter()
        self.profiles: dict[str, Counter[str]] = {}
        self.started = time.monotonic()
        # nodeid → (phase, pytest's longrepr) of its first failed phase; skip reasons
        self._failures: dict[str, tuple[str, str, str | None]] = {}
        self._skipped: dict[str, str] = {}
        self._bar: Bar | None = None
        self._task: Any = None

    # -- pytest hooks ---------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_report_teststatus(self, report: pytest.TestReport, config: pytest.Config):
        status = yield
        if self.silence_pytest and status:
            category = status[0]
            return category, "", ""  # pytest keeps its counts, prints no letter or word
        return status

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self._print(f"[bold red]cannot collect {escape(report.nodeid or '.')}[/]\n"
                        f"{escape(str(report.longreprtext))}", always=True)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.started = time.monotonic()
        if self.live:
            self._bar = Bar(TextColumn("{task.description}"), BarColumn(bar_width=20),
                            MofNCompleteColumn(), TextColumn("{task.fields[counts]}"),
                            TimeElapsedColumn(), console=self.console, transient=True)
            self._task = self._bar.add_task("collecting", total=self.total or None,
                                            counts="")
            self._bar.start()
        elif self.per_case:
            self._print(f"ocppcert: {self.total} case(s) to run")

    def pytest_runtest_logstart(self, nodeid: str, location: tuple[str, int | None, str]
                                ) -> None:
        if self._bar is not None:
            self._bar.update(self._task, description=f"running {escape(_short(location[2]))}")
            self._bar.refresh()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.failed:
            crash = getattr(getattr(report.longrepr, "reprcrash", None), "message", None)
            text = str(report.longreprtext)
            self._failures.setdefault(report.nodeid, (report.when, text, crash))
        elif report.skipped:
            self._skipped.setdefault(report.nodeid, _skip_reason(report))

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: pytest.Item | None):
        result = yield
        self._finished(item)
        return result

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        directory = session.config.getoption("--report", None)
        if not (directory and self.done):
            return
        if self._bar is not None:  # rendering (the PDF above all) takes a few seconds
            self._bar.update(self._task, description=f"writing the report to {directory}")
        else:
            self._print(f"writing the report to {escape(str(directory))} ...")

    def pytest_internalerror(self, excrepr: Any) -> None:
        self._stop_bar()

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        self._stop_bar()

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self._stop_bar()

    # -- ours -----------------------------------------------------------------------------
    def _finished(self, item: pytest.Item) -> None:
        from ocppcert.plugin import case_record

        record = case_record(item)
        phase, failure, crash = self._failures.pop(item.nodeid, (None, None, None))
        skipped = self._skipped.pop(item.nodeid, None)
        if record is not None:
            case_id, verdict = record.id, record.verdict.value
            title, profile, reason = record.case.title, record.case.profile, record.reason
            duration = record.duration_s
        else:  # a plain test among the cases: judged by pytest's outcome
            case_id, title, profile, duration = item.name, "", "(not a case)", 0.0
            verdict, reason = "PASS", None
            if failure is not None:
                verdict = "FAIL" if phase == "call" else "ERROR"
                reason = crash or (failure.strip().splitlines() or ["failed"])[-1]
            elif skipped is not None:
                verdict, reason = "SKIPPED", skipped
        self.done += 1
        self.counts[verdict] += 1
        self.profiles.setdefault(profile, Counter())[verdict] += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, counts=self._counts_markup())
        if not self.per_case:
            return
        width = len(str(self.total or self.done))
        head = f"[{self.done:>{width}}/{self.total}]"
        style = STYLE.get(verdict, "")
        line = (f"{head} [{style}]{verdict:<14}[/] {escape(case_id)}  {escape(title)}"
                f" [dim]{duration:.1f}s[/]")
        if not self.live:  # no live line: each line carries the counts and the clock
            line += f" [dim]| {counts_text(self.counts)} | {_clock(self.elapsed)}[/]"
        if reason and verdict != "PASS":
            indent = " " * (len(head) + 1)
            line += "".join(f"\n{indent}[{style}]{escape(part)}[/]"
                            for part in reason.splitlines())
        if verdict == "ERROR" and failure:
            tail = failure.rstrip().splitlines()[-TRACE_LINES:]
            line += "\n" + "\n".join(f"{' ' * (len(head) + 3)}[dim]{escape(t)}[/]" for t in tail)
        self._print(line)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _counts_markup(self) -> str:
        return " ".join(f"[{STYLE[v]}]{self.counts[v]} {v}[/]" for v in VERDICTS
                        if self.counts[v])

    def _print(self, text: str, *, always: bool = False) -> None:
        if not (self.per_case or always):
            return
        target = self._bar.console if self._bar is not None else self.console
        target.print(text, soft_wrap=not self.live)

    def _stop_bar(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def summary_line(self) -> str:
        counts = counts_text(self.counts) if self.done else "no case ran"
        return f"ocppcert: {self.done} case(s) in {_clock(self.elapsed)}: {counts}"

    def table(self) -> Table:
        columns = [v for v in VERDICTS if self.counts[v]] or ["PASS"]
        table = Table(title="verdicts per profile", title_justify="left")
        table.add_column("profile")
        for verdict in columns:
            table.add_column(verdict, justify="right", style=STYLE[verdict])
        table.add_column("cases", justify="right")
        for profile, counts in sorted(self.profiles.items()):
            table.add_row(profile, *[str(counts[v] or "") for v in columns],
                          str(sum(counts.values())))
        table.add_section()
        table.add_row("[bold]all[/]", *[f"[bold]{self.counts[v]}[/]" for v in columns],
                      f"[bold]{self.done}[/]")
        return table

    def finish(self) -> None:
        """The end of the run: the table (or, quiet, one line)."""
        self._stop_bar()
        if self.quiet:
            self.console.print(escape(self.summary_line()), soft_wrap=True)
            return
        if self.done:
            self.console.print(self.table())
        self.console.print(escape(self.summary_line()), soft_wrap=True)


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr or "skipped")


def _short(name: str) -> str:
    """``test_x[TC_001_CS]`` → ``TC_001_CS`` (the case id pytest put in the test's name)."""
    if name.endswith("]") and "[" in name:
        return name[name.index("[") + 1:-1]
    return name
