"""``allure-results/``: the run as Allure results, with every wire message attached.

One Allure test result per case, written with allure-python-commons' own model classes and
file logger (so ``allure generate`` of Allure 2 or 3 reads it): name = title, fullName = case
id, status from the verdict (PASS and PARTIAL passed, FAIL failed, ERROR broken,
NOT_APPLICABLE and SKIPPED skipped), the reason as status message, the requirement as
description, labels for suite/feature (the profile), case id, OCTT id, OCPP version and
severity. Each exchange (a request and the response or fault relating to it) is one step,
its envelopes attached as XML; the exchange holding a failed check's evidence is failed.
The case's checks follow as steps of their own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

from allure_commons.logger import AllureFileLogger
from allure_commons.model2 import (
    Attachment,
    Label,
    Parameter,
    Status,
    StatusDetails,
    TestResult,
    TestStepResult,
)
from allure_commons.types import AttachmentType, LabelType, Severity

STATUS = {
    "PASS": Status.PASSED,
    "PARTIAL": Status.PASSED,
    "FAIL": Status.FAILED,
    "ERROR": Status.BROKEN,
    "NOT_APPLICABLE": Status.SKIPPED,
    "SKIPPED": Status.SKIPPED,
}
CHECK_STATUS = {"PASS": Status.PASSED, "WARN": Status.PASSED, "FAIL": Status.FAILED,
                "SKIPPED": Status.SKIPPED}
MANDATORY_PROFILES = ("Core", "SOAP")  # when report.json has no "profiles" table
ARROW = {"out": "→", "in": "←"}  # → harness to SUT, ← SUT to harness


def _millis(value: str | None) -> int | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1000)


def exchanges(messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The messages grouped into exchanges, in order of their first message: a request
    with the response or fault that relates to it (WS-Addressing RelatesTo), or failing
    that the next unanswered request of the same operation sent the other way. Anything
    else (a transport error, an unsolicited response) is an exchange of its own."""
    groups: list[list[dict[str, Any]]] = []
    by_id: dict[str, list[dict[str, Any]]] = {}
    open_requests: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
    for message in sorted(messages, key=lambda m: m.get("seq") or 0):
        kind = message.get("kind")
        if kind in ("response", "fault"):
            group = by_id.get(message.get("relates_to") or "")
            if group is None:
                group = next((g for request, g in open_requests
                              if request.get("direction") != message.get("direction")
                              and (kind == "fault" or request.get("operation")
                                   == message.get("operation"))), None)
            if group is not None and len(group) == 1:
                group.append(message)
                open_requests = [(r, g) for r, g in open_requests if g is not group]
                continue
        group = [message]
        groups.append(group)
        if kind == "request":
            if message.get("message_id"):
                by_id[message["message_id"]] = group
            open_requests.append((message, group))
    return groups


def _label(message: dict[str, Any], first: bool) -> str:
    arrow = ARROW.get(message.get("direction") or "", "·")
    kind = message.get("kind") or ""
    if first:
        what = " ".join(p for p in (message.get("operation"), kind) if p)
        what = what or message.get("note") or "message"
    else:
        what = kind or "message"
    return f"#{message.get('seq')} {arrow} {what}"


def _step_name(group: list[dict[str, Any]]) -> str:
    return " / ".join(_label(m, i == 0) for i, m in enumerate(group))


def _violations(message: dict[str, Any]) -> list[str]:
    return [f"#{message.get('seq')} [{v.get('check')}] {v.get('where')}: {v.get('reason')}"
            for v in message.get("violations") or []]


class _Writer:
    def __init__(self, directory: Path) -> None:
        self.logger = AllureFileLogger(str(directory), clean=True)

    def attach(self, owner: Any, name: str, body: str | bytes,
               kind: AttachmentType = AttachmentType.XML) -> None:
        file_name = f"{uuid.uuid4()}-attachment.{kind.extension}"
        self.logger.report_attached_data(body=body, file_name=file_name)
        owner.attachments.append(Attachment(name=name, source=file_name, type=kind.mime_type))

    def exchange_step(self, group: list[dict[str, Any]], evidence: set[int],
                      verdict: str) -> TestStepResult:
        starts = [t for t in (_millis(m.get("time")) for m in group) if t is not None]
        step = TestStepResult(name=_step_name(group), stage="finished",
                              start=min(starts) if starts else None,
                              stop=max(starts) if starts else None)
        problems = [text for m in group for text in _violations(m)]
        notes = [f"#{m.get('seq')} {m['note']}" for m in group if m.get("note")]
        in_evidence = any(m.get("seq") in evidence for m in group)
        invalid_from_sut = any(m.get("valid") is False and m.get("direction") == "in"
                               for m in group)
        invalid_from_us = any(m.get("valid") is False and m.get("direction") == "out"
                              for m in group)
        if in_evidence and verdict in ("FAIL", "ERROR"):
            step.status = Status.FAILED if verdict == "FAIL" else Status.BROKEN
        elif invalid_from_sut:
            step.status = Status.FAILED
        elif invalid_from_us:
            step.status = Status.BROKEN
        else:
            step.status = Status.PASSED
        if problems or notes:
            step.statusDetails = StatusDetails(message="\n".join(problems + notes))
        first = group[0]
        step.parameters = [
            Parameter(name=name, value=str(value)) for name, value in (
                ("from", "SUT" if first.get("direction") == "in" else "harness"),
                ("peer", first.get("peer")), ("service", first.get("service")),
                ("message id", first.get("message_id")),
                ("HTTP status", next((m.get("http_status") for m in group
                                      if m.get("http_status")), None)))
            if value]
        for index, message in enumerate(group):
            label = _label(message, True) if index == 0 else \
                f"#{message.get('seq')} {ARROW.get(message.get('direction') or '', '·')} " \
                f"{message.get('operation') or ''} {message.get('kind') or ''}".rstrip()
            if message.get("xml"):
                self.attach(step, label + ".xml", message["xml"])
            elif message.get("note"):
                self.attach(step, label + ".txt", message["note"], AttachmentType.TEXT)
        return step

    def check_step(self, check: dict[str, Any]) -> TestStepResult:
        verdict = check.get("verdict") or "PASS"
        step = TestStepResult(name=f"check: {check.get('check')}", stage="finished",
                              status=CHECK_STATUS.get(verdict, Status.BROKEN))
        evidence = check.get("evidence") or []
        step.parameters = [Parameter(name=name, value=str(value)) for name, value in (
            ("expected", check.get("expected")), ("seen", check.get("seen")),
            ("verdict", verdict),
            ("evidence", ", ".join(f"#{s}" for s in evidence) if evidence else None))
            if value is not None]
        if verdict != "PASS":
            step.statusDetails = StatusDetails(
                message=f"{verdict}\nexpected: {check.get('expected')}\n"
                        f"seen: {check.get('seen')}")
        return step


def _severity(document: dict[str, Any], profile: str | None) -> str:
    entry = (document.get("profiles") or {}).get(profile or "")
    mandatory = entry.get("mandatory") if isinstance(entry, dict) else None
    if mandatory is None:
        mandatory = profile in MANDATORY_PROFILES
    return Severity.CRITICAL.value if mandatory else Severity.NORMAL.value


def _result(writer: _Writer, document: dict[str, Any], case: dict[str, Any],
            start: int | None, stop: int | None) -> TestResult:
    verdict = case.get("verdict") or "ERROR"
    role = case.get("sut") or "sut"
    case_id = str(case.get("id"))
    digest = hashlib.md5(f"ocppcert:{case_id}".encode(), usedforsecurity=False).hexdigest()
    result = TestResult(
        uuid=str(uuid.uuid4()), historyId=digest, testCaseId=digest,
        name=case.get("title") or case_id, fullName=case_id,
        status=STATUS.get(verdict, Status.BROKEN), stage="finished",
        description=case.get("requirement"), start=start, stop=stop,
        titlePath=["ocppcert", role, case.get("profile") or "unknown"])
    details = case.get("reason") or ""
    if verdict != "PASS":
        result.statusDetails = StatusDetails(message=f"{verdict}: {details}" if details
                                             else verdict)
    versions = case.get("versions") or []
    labels = [
        (LabelType.PARENT_SUITE, f"ocppcert {role}"),
        (LabelType.SUITE, case.get("profile")),
        (LabelType.FEATURE, case.get("profile")),
        (LabelType.SEVERITY, _severity(document, case.get("profile"))),
        ("testId", case_id),
        ("octt_id", case.get("octt_id")),
        (LabelType.FRAMEWORK, "ocppcert"),
        (LabelType.LANGUAGE, "python"),
        (LabelType.HOST, document.get("host")),
        ("package", f"ocppcert.{role}.{case.get('profile')}"),
        *[(LabelType.TAG, f"OCPP {v}") for v in versions],
        *([(LabelType.TAG, verdict)] if verdict != "PASS" else []),
    ]
    result.labels = [Label(name=name, value=str(value)) for name, value in labels if value]
    result.parameters = [Parameter(name="OCPP", value=", ".join(versions))] if versions else []
    if verdict != "PASS":  # Allure's status alone loses PARTIAL, NOT_APPLICABLE, ERROR
        result.parameters.append(Parameter(name="verdict", value=verdict))
    if case.get("spec"):
        result.parameters.append(Parameter(name="spec", value=str(case["spec"])))
    checks = case.get("checks") or []
    evidence = {seq for check in checks if check.get("verdict") == "FAIL"
                for seq in check.get("evidence") or []}
    for group in exchanges(case.get("messages") or []):
        result.steps.append(writer.exchange_step(group, evidence, verdict))
    for check in checks:
        result.steps.append(writer.check_step(check))
    if case.get("warnings"):
        writer.attach(result, "warnings.txt", "\n".join(case["warnings"]) + "\n",
                      AttachmentType.TEXT)
    return result


def _environment(document: dict[str, Any]) -> str:
    sut = document.get("sut") or {}
    identity = sut.get("identity") or {}
    run = document.get("run") or {}
    tool = document.get("tool") or {}
    pairs = [
        ("ocppcert", tool.get("version")), ("SUT.role", sut.get("role")),
        ("SUT.url", sut.get("url")), ("SUT.vendor", identity.get("vendor")),
        ("SUT.model", identity.get("model")), ("SUT.serial", identity.get("serial")),
        ("SUT.firmware", identity.get("firmware")),
        ("OCPP", ", ".join(run.get("ocpp_version") or []) or None),
        ("strict", run.get("strict")), ("schemas", (document.get("schemas") or {}).get("source")),
        ("started", document.get("started")), ("finished", document.get("finished")),
    ]
    lines = []
    for key, value in pairs:
        if value is None or value == "":
            continue
        text = str(value).replace("\\", "\\\\").replace("\n", " ")
        lines.append(f"{key.replace(' ', '_')}={text}")
    return "\n".join(lines) + "\n"


def write_allure(document: dict[str, Any], directory: Path) -> Path:
    """Write ``directory`` afresh (what was there is removed) and return it."""
    directory = Path(directory)
    writer = _Writer(directory)
    cursor = _millis(document.get("started"))
    for case in document.get("cases") or []:
        duration = int(float(case.get("duration_s") or 0.0) * 1000)
        times = [t for t in (_millis(m.get("time")) for m in case.get("messages") or [])
                 if t is not None]
        # report.json has no start time per case. Cases run one after the other, so a case
        # starts after the one before ended (cursor), before its first message and no
        # later than its duration before its last one.
        start = _millis(case.get("started"))
        if start is None and times:
            start = min(times[0], max(cursor or 0, times[-1] - duration))
        elif start is None:
            start = cursor
        stop = start + duration if start is not None else None
        writer.logger.report_result(_result(writer, document, case, start, stop))
        cursor = stop if stop is not None else cursor
    (directory / "environment.properties").write_text(_environment(document), encoding="utf-8")
    return directory
