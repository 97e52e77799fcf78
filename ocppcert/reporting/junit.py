"""``junit.xml``: the run for CI servers (Jenkins, GitLab, Azure DevOps, ...).

One ``<testsuite>`` per profile under a ``<testsuites>`` root, one ``<testcase>`` per case
run: ``name`` is the case id, ``classname`` ``ocppcert.<role>.<profile>``. FAIL becomes
``<failure>``, ERROR ``<error>``, NOT_APPLICABLE and SKIPPED ``<skipped>`` (the message starts
with the verdict), PASS and PARTIAL pass (PARTIAL says so in its ``verdict`` property and
``<system-out>``). Each case carries ``<properties>`` (id, octt_id, title, profile, version,
spec, verdict) and a short text log of its checks and messages in ``<system-out>``.

The shape is the one of the Ant/Jenkins JUnit schema: ``timestamp`` without a zone (UTC;
the exact times are in the suite properties), counts that add up at both levels.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from pathlib import Path
from typing import Any

from lxml import etree

# characters XML 1.0 forbids (a SUT's reply may carry them; lxml refuses them)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SKIPPED = ("NOT_APPLICABLE", "SKIPPED")
_LOG_MESSAGES = 200  # messages listed in a case's <system-out>, at most


def _text(value: Any) -> str:
    return _ILLEGAL.sub("\ufffd", "" if value is None else str(value))


def _timestamp(value: str | None) -> str:
    """``YYYY-MM-DDTHH:MM:SS`` in UTC, the form the JUnit schema allows."""
    try:
        moment = dt.datetime.fromisoformat(value) if value else dt.datetime.now(dt.UTC)
    except ValueError:
        moment = dt.datetime.now(dt.UTC)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment.replace(microsecond=0).isoformat()


def _seconds(value: Any) -> float:
    try:
        return max(0.0, float(value or 0.0))
    except (TypeError, ValueError):
        return 0.0


def _properties(parent: etree._Element, pairs: list[tuple[str, Any]]) -> None:
    kept = [(name, value) for name, value in pairs if value not in (None, "", [])]
    if not kept:
        return
    holder = etree.SubElement(parent, "properties")
    for name, value in kept:
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        etree.SubElement(holder, "property", name=name, value=_text(value))


def _version(case: dict[str, Any]) -> str | None:
    versions = case.get("versions") or []
    return ", ".join(versions) if versions else None


def _message_line(message: dict[str, Any]) -> str:
    arrow = "SUT → harness" if message.get("direction") == "in" else "harness → SUT"
    what = " ".join(str(p) for p in (message.get("operation"), message.get("kind")) if p)
    valid = message.get("valid")
    state = "" if valid is None else ("valid" if valid else "INVALID")
    line = f"#{message.get('seq')} {arrow} {what or 'message'} {state}".rstrip()
    if message.get("http_status"):
        line += f" (HTTP {message['http_status']})"
    if message.get("note"):
        line += f" — {message['note']}"
    for violation in message.get("violations") or []:
        line += (f"\n      [{violation.get('check')}] {violation.get('where')}: "
                 f"{violation.get('reason')}")
    return line


def _log(case: dict[str, Any]) -> str:
    """The case in plain text, for CI log viewers."""
    lines = [f"{case.get('id')}: {case.get('title') or ''}".rstrip(": ")]
    if case.get("spec"):
        lines.append(f"spec: {case['spec']}")
    if case.get("requirement"):
        lines.append(f"requirement: {case['requirement']}")
    lines.append(f"verdict: {case.get('verdict')}"
                 + (f" — {case['reason']}" if case.get("reason") else ""))
    for warning in case.get("warnings") or []:
        lines.append(f"warning: {warning}")
    checks = case.get("checks") or []
    if checks:
        lines.append("checks:")
    for check in checks:
        evidence = check.get("evidence") or []
        lines.append(f"  {check.get('verdict')}  {check.get('check')}: expected "
                     f"{check.get('expected')}, seen {check.get('seen')}"
                     + (f" (messages {', '.join(f'#{s}' for s in evidence)})" if evidence else ""))
    messages = case.get("messages") or []
    if messages:
        lines.append("messages:")
    for message in messages[:_LOG_MESSAGES]:
        lines.append("  " + _message_line(message))
    if len(messages) > _LOG_MESSAGES:
        lines.append(f"  ... {len(messages) - _LOG_MESSAGES} more in report.json")
    return "\n".join(lines) + "\n"


def _role_of(case: dict[str, Any], document: dict[str, Any]) -> str:
    role = case.get("sut") or (document.get("sut") or {}).get("role") or "sut"
    return role if isinstance(role, str) else "sut"


def _testcase(suite: etree._Element, case: dict[str, Any], classname: str) -> None:
    verdict = case.get("verdict") or "ERROR"
    reason = case.get("reason") or ""
    element = etree.SubElement(suite, "testcase", name=_text(case.get("id")),
                               classname=classname, time=f"{_seconds(case.get('duration_s')):.3f}")
    if verdict == "FAIL":
        etree.SubElement(element, "failure", message=_text(reason or "FAIL"),
                         type="FAIL").text = _text(reason)
    elif verdict in ("PASS", "PARTIAL"):
        pass
    elif verdict in _SKIPPED:
        etree.SubElement(element, "skipped",
                         message=_text(f"{verdict}: {reason}" if reason else verdict))
    else:  # ERROR, or a verdict this version does not know: never a silent pass
        etree.SubElement(element, "error", message=_text(reason or verdict),
                         type=_text(verdict)).text = _text(reason)
    _properties(element, [
        ("id", case.get("id")), ("octt_id", case.get("octt_id")), ("title", case.get("title")),
        ("profile", case.get("profile")), ("version", _version(case)),
        ("spec", case.get("spec")), ("verdict", verdict),
        ("reason", reason if verdict == "PARTIAL" else None),
    ])
    # <properties> comes first in a testcase (the Jenkins schema's order)
    properties = element.find("properties")
    if properties is not None:
        element.remove(properties)
        element.insert(0, properties)
    etree.SubElement(element, "system-out").text = _text(_log(case))


def _counts(cases: list[dict[str, Any]]) -> dict[str, str]:
    verdicts = Counter(c.get("verdict") or "ERROR" for c in cases)
    skipped = sum(verdicts[v] for v in _SKIPPED)
    failures = verdicts["FAIL"]
    errors = len(cases) - failures - skipped - verdicts["PASS"] - verdicts["PARTIAL"]
    return {"tests": str(len(cases)), "failures": str(failures), "errors": str(errors),
            "skipped": str(skipped),
            "time": f"{sum(_seconds(c.get('duration_s')) for c in cases):.3f}"}


def junit_tree(document: dict[str, Any]) -> etree._ElementTree:
    cases = list(document.get("cases") or [])
    sut = document.get("sut") or {}
    identity = sut.get("identity") or {}
    tool = document.get("tool") or {}
    run = document.get("run") or {}
    timestamp = _timestamp(document.get("started"))
    hostname = _text(document.get("host") or "localhost")
    root = etree.Element("testsuites", name="ocppcert", **_counts(cases), timestamp=timestamp)
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for case in cases:
        groups.setdefault((_role_of(case, document), case.get("profile") or "unknown"),
                          []).append(case)
    for number, ((role, profile), members) in enumerate(groups.items()):
        name = f"ocppcert.{role}.{profile}"
        suite = etree.SubElement(root, "testsuite", name=_text(name), **_counts(members),
                                 timestamp=timestamp, hostname=hostname, id=str(number),
                                 package=_text(f"ocppcert.{role}"))
        _properties(suite, [
            ("tool", f"{tool.get('name', 'ocppcert')} {tool.get('version', '')}".strip()),
            ("started", document.get("started")), ("finished", document.get("finished")),
            ("sut.role", role), ("sut.url", sut.get("url")),
            ("sut.vendor", identity.get("vendor")), ("sut.model", identity.get("model")),
            ("sut.serial", identity.get("serial")), ("sut.firmware", identity.get("firmware")),
            ("ocpp_version", run.get("ocpp_version")), ("profile", profile),
            ("mandatory", _mandatory(document, profile)),
            ("strict", run.get("strict")),
            ("schemas", (document.get("schemas") or {}).get("source")),
        ])
        for case in members:
            _testcase(suite, case, _text(name))
    return etree.ElementTree(root)


def _mandatory(document: dict[str, Any], profile: str) -> str | None:
    entry = (document.get("profiles") or {}).get(profile)
    if isinstance(entry, dict) and "mandatory" in entry:
        return "true" if entry["mandatory"] else "false"
    return None


def write_junit(document: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    junit_tree(document).write(str(path), encoding="UTF-8", xml_declaration=True,
                               pretty_print=True)
    return path
