"""Checks: what a case expected, what it saw, and the verdict of each, for the report.

A case fails by raising ``CaseFailed``; when it passes nothing says what was verified. The
harness therefore records a check at each of its bounded waits and typed calls (see
ocppcert/roles/scripted.py), and a case may add its own (:func:`check`) or declare one
skipped (:func:`skip_check`: the case is then PARTIAL, not PASS). Checks live in a
:class:`CheckLog` on the WireRecorder, so both harness roles and every charge point of a
fleet (which share one recorder) reach the same log; the pytest plugin drains it per case.

A failed check travels with the exception that reports it (``exc.ocppcert_checks``). It
counts as FAIL only if that exception ends the case: a case may catch a timed-out
expectation on purpose (e.g. ``expect(op, timeout=0)`` to drain earlier requests), and
such a tolerated miss is no finding, so it is dropped from the report.

Besides these, :func:`message_checks` turns each inbound SUT message's validation into a
check, and :func:`case_checks` assembles the final list of one case.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from ocppcert.verdicts import CaseFailed

__all__ = [
    "CheckLog",
    "CheckRecord",
    "CheckVerdict",
    "case_checks",
    "check",
    "message_checks",
    "skip_check",
]

_ATTR = "ocppcert_checks"  # on an exception: the numbers of the failed checks it reports


class CheckVerdict(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    SKIPPED = "SKIPPED"

    def __str__(self) -> str:
        return self.value


@dataclass(slots=True)
class CheckRecord:
    check: str  # what was checked, one line
    expected: str
    seen: str
    verdict: CheckVerdict
    evidence: tuple[int, ...] = ()  # wire-record sequence numbers
    n: int = 0  # order of recording in its log
    at_seq: int = 0  # the wire record's last seq when it was recorded (to order by)
    tentative: bool = False  # a failure that counts only if its exception ends the case

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.check, "expected": self.expected, "seen": self.seen,
                "verdict": self.verdict.value, "evidence": list(self.evidence)}


@dataclass
class CheckLog:
    """The checks recorded since the last :meth:`drain`; at most ``capacity`` (the oldest
    go first), so that a log nobody drains cannot grow without bound."""

    capacity: int = 10_000
    _entries: deque[CheckRecord] = field(init=False)
    _numbers: Iterator[int] = field(init=False, default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self._entries = deque(maxlen=self.capacity)
        self.dropped = 0  # checks pushed out by newer ones since the last drain/clear

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, check: str, *, expected: str, seen: str, verdict: CheckVerdict | str,
            evidence: Iterable[int] = (), at_seq: int = 0, tentative: bool = False
            ) -> CheckRecord:
        entry = CheckRecord(check, expected, seen, CheckVerdict(verdict),
                            tuple(s for s in evidence if s), next(self._numbers), at_seq,
                            tentative)
        if len(self._entries) == self.capacity:
            self.dropped += 1
        self._entries.append(entry)
        return entry

    def failure(self, exc: BaseException, check: str, *, expected: str, seen: str,
                evidence: Iterable[int] = (), at_seq: int = 0) -> BaseException:
        """Record a failed check that ``exc`` reports, tie it to ``exc``, return ``exc``."""
        entry = self.add(check, expected=expected, seen=seen, verdict=CheckVerdict.FAIL,
                         evidence=evidence, at_seq=at_seq, tentative=True)
        setattr(exc, _ATTR, (*getattr(exc, _ATTR, ()), entry.n))
        return exc

    def clear(self) -> None:
        self._entries.clear()
        self.dropped = 0

    def drain(self) -> list[CheckRecord]:
        """The checks logged since the last drain (then forgotten). If more were logged
        than the log keeps, the oldest are gone: ``dropped`` says how many (read it
        before draining)."""
        entries = list(self._entries)
        self.clear()
        return entries


def _log_of(target: Any) -> CheckLog:
    """The CheckLog of a WireRecorder, of anything with a ``recorder`` (a harness, a
    fleet), or the log itself."""
    if isinstance(target, CheckLog):
        return target
    recorder = getattr(target, "recorder", target)
    log = getattr(recorder, "checks", None)
    if not isinstance(log, CheckLog):
        raise TypeError(f"{type(target).__name__} has no check log")
    return log


def _last_seq(target: Any) -> int:
    recorder = getattr(target, "recorder", target)
    return int(getattr(recorder, "last_seq", 0))


def check(target: Any, what: str, *, ok: bool, expected: str, seen: str,
          evidence: Iterable[int] = ()) -> CheckRecord:
    """An explicit check of a case, on ``target`` (a harness, a fleet or a recorder):
    recorded as PASS if ``ok``; otherwise recorded as FAIL and raised as CaseFailed
    ("``what``: expected ..., seen ...") with ``evidence``."""
    log = _log_of(target)
    evidence = tuple(evidence)
    if ok:
        return log.add(what, expected=expected, seen=seen, verdict=CheckVerdict.PASS,
                       evidence=evidence, at_seq=_last_seq(target))
    failed = CaseFailed(f"{what}: expected {expected}, seen {seen}", evidence=evidence)
    raise log.failure(failed, what, expected=expected, seen=seen, evidence=evidence,
                      at_seq=_last_seq(target))


def skip_check(target: Any, what: str, *, expected: str, why: str) -> CheckRecord:
    """Declare a check that could not be made here (an observation nobody confirmed, a
    feature the setup cannot reach): a case that otherwise passes is PARTIAL, naming it."""
    return _log_of(target).add(what, expected=expected, seen=f"not checked: {why}",
                               verdict=CheckVerdict.SKIPPED, at_seq=_last_seq(target))


# -- assembling one case's checks -----------------------------------------------------------

def _label(record: Any) -> str:
    what = " ".join(p for p in (record.operation, record.kind) if p)
    return f"#{record.seq} {what or 'message'}"


def message_checks(messages: Iterable[Any], version: str, *, strict: bool
                   ) -> list[tuple[int, CheckRecord]]:
    """One check per inbound SUT message (WireRecords): valid against the OCPP schema of
    ``version`` and the SOAP 1.2 / WS-Addressing rules. Warnings (real-world variants)
    make it WARN, or FAIL in strict mode. Transport-error notes (no bytes) are skipped:
    the expectation that waited for them says what happened."""
    found = []
    for record in messages:
        direction = getattr(record.direction, "value", record.direction)
        if direction != "in" or not record.data:
            continue
        problems = [f"[{v['check']}] {v['where']}: {v['reason']}" for v in record.violations]
        if record.ocpp_version and record.ocpp_version != version:
            problems.append(f"OCPP {record.ocpp_version}, the case runs OCPP {version}")
        notes = []
        for w in record.warnings:
            text = f"[{w['check']}] {w['where']}: {w['reason']}"
            if text not in problems:
                notes.append(text)
        if strict:
            problems, notes = problems + notes, []
        if problems:
            verdict, seen = CheckVerdict.FAIL, "; ".join(problems)
        elif notes:
            verdict, seen = CheckVerdict.WARN, "valid, with variants: " + "; ".join(notes)
        else:
            verdict, seen = CheckVerdict.PASS, "valid"
        entry = CheckRecord(
            f"{_label(record)} from the SUT is valid OCPP {version} over SOAP",
            f"a well-formed SOAP 1.2 envelope, valid against the OCPP {version} schema, "
            "with the WS-Addressing and chargeBoxIdentity headers OCPP requires",
            seen, verdict, (record.seq,), at_seq=record.seq)
        found.append((record.seq, entry))
    return found


def _chain(exc: BaseException | None) -> Iterator[BaseException]:
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def case_checks(logged: Iterable[CheckRecord], messages: Iterable[Any], *, version: str,
                strict: bool, error: BaseException | None, failed: bool,
                requirement: str | None) -> list[CheckRecord]:
    """The checks of one case, in wire order: those logged by the harness and the case
    (a tentative failure only if ``error``, what ended the case, reports it), one per
    inbound SUT message, and, if the case ``failed`` with ``error``, the requirement it
    failed with the reason as what was seen."""
    ending = {n for exc in _chain(error) for n in getattr(exc, _ATTR, ())}
    ordered: list[tuple[int, int, int, CheckRecord]] = []
    for seq, entry in message_checks(messages, version, strict=strict):
        ordered.append((seq, 0, 0, entry))
    for entry in logged:
        if entry.tentative and entry.n not in ending:
            continue
        ordered.append((entry.at_seq, 1, entry.n, entry))
    ordered.sort(key=lambda item: item[:3])
    result = [item[3] for item in ordered]
    if failed and error is not None:
        reason = getattr(error, "reason", None) or str(error) or type(error).__name__
        evidence = tuple(getattr(error, "evidence", ()) or ())
        result.append(CheckRecord(
            "the case's requirement holds", requirement or "the case's requirement",
            reason, CheckVerdict.FAIL, evidence))
    return result


def skipped_reason(checks: Iterable[CheckRecord | dict[str, Any]]) -> str | None:
    """The PARTIAL reason if any check was skipped ("check(s) skipped: ..."), else None."""
    names = []
    for entry in checks:
        verdict = entry["verdict"] if isinstance(entry, dict) else entry.verdict.value
        if verdict == CheckVerdict.SKIPPED.value:
            name = entry["check"] if isinstance(entry, dict) else entry.check
            seen = entry["seen"] if isinstance(entry, dict) else entry.seen
            names.append(f"{name} ({seen})")
    if not names:
        return None
    return ("check skipped: " if len(names) == 1 else "checks skipped: ") + "; ".join(names)
