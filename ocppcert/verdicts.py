"""Verdicts, and the exceptions by which a case reaches one.

A case is a coroutine. It ends in one of six verdicts (CONTRACT.md):

- PASS: every check held;
- FAIL: the SUT violated a requirement (``CaseFailed``, or a plain ``assert``), with evidence;
- ERROR: the run could not judge (``HarnessError``, or any other exception: a harness bug,
  the SUT unreachable when the harness had to call it);
- NOT_APPLICABLE: the PICS excludes the case (``NotApplicable``);
- PARTIAL: it passed, but a check was skipped (``CaseRecord.partial``);
- SKIPPED: a step could not be driven here (``CannotDrive``), e.g. no operator.
"""

from __future__ import annotations

from enum import Enum


class Verdict(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    PARTIAL = "PARTIAL"
    SKIPPED = "SKIPPED"

    def __str__(self) -> str:
        return self.value


class CaseFailed(AssertionError):
    """The SUT did not do what the specification requires. ``evidence``: the wire-record
    sequence numbers of the messages that show it."""

    def __init__(self, reason: str, *, evidence: tuple[int, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason
        self.evidence = evidence


class NotApplicable(Exception):
    """The SUT, as its PICS describes it, does not have what the case tests."""


class CannotDrive(Exception):
    """A step needs an action nobody here can perform (no adapter, no operator)."""


class HarnessError(Exception):
    """The harness itself could not carry on; the case cannot be judged."""


def verdict_of(exception: BaseException | None) -> Verdict:
    """The verdict a case earns by ending with ``exception`` (None: it returned)."""
    if exception is None:
        return Verdict.PASS
    if isinstance(exception, NotApplicable):
        return Verdict.NOT_APPLICABLE
    if isinstance(exception, CannotDrive):
        return Verdict.SKIPPED
    if isinstance(exception, AssertionError):
        return Verdict.FAIL
    return Verdict.ERROR
