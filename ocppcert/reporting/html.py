"""report.html: one self-contained page rendered from report.json (jinja2, autoescaped).

:func:`build_view` turns the report document into what the templates show (shared with
:mod:`ocppcert.reporting.pdf`): the SUT and run header, the summary per profile, and per case
its checks, a sequence diagram and every envelope pretty-printed. It tolerates the keys an
older report.json lacks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from lxml import etree
from markupsafe import Markup

from ocppcert.reporting.sequence import (
    ROW,
    message_label,
    message_problem,
    parse_time,
    sequence_svg,
)
from ocppcert.xml import parse

VERDICTS = ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "PARTIAL", "SKIPPED")
MANDATORY_PROFILES = ("Core", "SOAP")
TEMPLATES = Path(__file__).parent / "templates"
ROLE_NAMES = {"central-system": "Central System", "charge-point": "charge point"}
# an envelope larger than this is shown as recorded, not re-indented
PRETTY_MAX_BYTES = 4 * 1024 * 1024


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["verdict_class"] = verdict_class
    return env


def css_string(value: Any) -> Markup:
    """A CSS string literal (for the PDF's running header): quotes, backslashes, newlines."""
    text = str(value)
    for char, code in (("\\", "\\5c "), ('"', "\\22 "), ("\n", "\\a "), ("\r", ""),
                       ("<", "\\3c "), (">", "\\3e ")):
        text = text.replace(char, code)
    return Markup(f'"{text}"')


def verdict_class(verdict: Any) -> str:
    return "v-" + str(verdict or "unknown").lower().replace("_", "-")


def pretty_xml(xml: Any) -> tuple[str, str | None]:
    """(text to show, a note when it is shown as recorded rather than re-indented)."""
    if not xml:
        return "", None
    text = str(xml)
    data = text.encode("utf-8")
    try:
        root = parse(data, max_bytes=PRETTY_MAX_BYTES)
        etree.indent(root, space="  ")
        body = etree.tostring(root, encoding="unicode")
    except Exception as exc:  # any failure: show the text as recorded
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        return text, f"shown as recorded, not re-indented: {reason}"
    if text.lstrip().startswith("<?xml"):
        start = text.index("<?xml")
        end = text.find("?>", start)
        if end > 0:
            body = text[start:end + 2] + "\n" + body
    return body, None


def show_time(value: Any) -> str:
    when = parse_time(value)
    if when is None:
        return str(value) if value else "unknown"
    text = when.strftime("%Y-%m-%d %H:%M:%S")
    offset = when.utcoffset()
    if offset is None:
        return text + " (local time)"
    if offset == dt.timedelta(0):
        return text + " UTC"
    return text + " UTC" + when.strftime("%z")[:3] + ":" + when.strftime("%z")[3:]


def show_duration(seconds: Any) -> str:
    if not isinstance(seconds, (int, float)):
        return "—"
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"
    minutes, rest = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min {rest:02d} s" if hours else f"{minutes} min {rest:02d} s"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _text_list(value: Any) -> str:
    items = _as_list(value)
    return ", ".join(str(i) for i in items) if items else "—"


def _findings(items: Any) -> list[dict[str, Any]]:
    """Violations or warnings of a message, as dicts (older files may hold plain strings)."""
    found = []
    for item in _as_list(items):
        if isinstance(item, dict):
            found.append({"check": item.get("check"), "where": item.get("where"),
                          "reason": item.get("reason"), "line": item.get("line")})
        else:
            found.append({"check": None, "where": None, "reason": str(item), "line": None})
    return found


def _profile_rows(document: dict[str, Any], cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    given = document.get("profiles") if isinstance(document.get("profiles"), dict) else {}
    counted: dict[str, Counter[str]] = {}
    for case in cases:
        counted.setdefault(case["profile"], Counter())[case["verdict"]] += 1
    # The counts are always those of the cases listed (the report must agree with itself);
    # report.json's "profiles" gives mandatory/applicable where its counts agree with them.
    names = sorted(counted, key=lambda p: (p not in MANDATORY_PROFILES, p))
    rows = []
    for name in names:
        entry = given.get(name) if isinstance(given.get(name), dict) else {}
        counts = counted[name]
        total = sum(counts.values())
        agrees = Counter(entry.get("counts") or {}) == counts
        applicable = entry.get("applicable") if agrees else None
        if not isinstance(applicable, int):
            applicable = total - counts.get("NOT_APPLICABLE", 0)
        passed = counts.get("PASS", 0)
        mandatory = entry.get("mandatory")
        if not isinstance(mandatory, bool):
            mandatory = name in MANDATORY_PROFILES
        rows.append(_summary_row(name, mandatory, counts, total, applicable, passed))
    return rows


def _summary_row(name: str, mandatory: bool | None, counts: Counter[str], total: int,
                 applicable: int, passed: int) -> dict[str, Any]:
    others = {v: n for v, n in counts.items() if v not in VERDICTS and n}
    rate = passed / applicable if applicable else None
    return {"name": name, "mandatory": mandatory, "counts": {v: counts.get(v, 0) for v in VERDICTS},
            "other": others, "total": total, "applicable": applicable, "passed": passed,
            "rate": _percent(rate),
            "complete": applicable > 0 and passed == applicable}


def _percent(rate: float | None) -> str:
    if rate is None:
        return "—"
    permille = rate * 1000
    if abs(permille - round(permille)) < 1e-9 and round(permille) % 10 == 0:
        return f"{rate:.0%}"
    # never round up to a 100% that was not reached
    return f"{min(rate, 0.999):.1%}"


def _total_row(name: str, rows: list[dict[str, Any]], mandatory: bool | None) -> dict[str, Any]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(row["counts"])
        counts.update(row["other"])
    return _summary_row(name, mandatory, counts, sum(r["total"] for r in rows),
                        sum(r["applicable"] for r in rows), sum(r["passed"] for r in rows))


def _message_view(case_id: str, message: dict[str, Any], with_body: bool) -> dict[str, Any]:
    seq = message.get("seq")
    body, note = pretty_xml(message.get("xml")) if with_body else ("", None)
    direction = message.get("direction")
    return {
        "seq": seq,
        "anchor": f"{case_id}-m{seq}",
        "label": message_label(message),
        "direction": direction,
        "arrow": "harness → SUT" if direction == "out" else
                 "SUT → harness" if direction == "in" else "?",
        "time": message.get("time"),
        "time_shown": show_time(message.get("time")) if message.get("time") else "",
        "peer": message.get("peer"),
        "http_status": message.get("http_status"),
        "ocpp_version": message.get("ocpp_version"),
        "service": message.get("service"),
        "message_id": message.get("message_id"),
        "relates_to": message.get("relates_to"),
        "charge_box_identity": message.get("charge_box_identity"),
        "content_type": message.get("content_type"),
        "valid": message.get("valid"),
        "problem": message_problem(message),
        "notable": bool(message_problem(message) or message.get("warnings") or message.get("note")),
        "violations": _findings(message.get("violations")),
        "warnings": _findings(message.get("warnings")),
        "note": message.get("note"),
        "has_xml": bool(message.get("xml")),
        "size": len(str(message.get("xml") or "").encode("utf-8")),
        "xml": body,
        "xml_note": note,
    }


def _check_view(check: Any, anchors: dict[Any, str]) -> dict[str, Any]:
    if not isinstance(check, dict):
        return {"check": str(check), "expected": "", "seen": "", "verdict": "", "evidence": []}
    evidence = [{"seq": seq, "anchor": anchors.get(seq)} for seq in _as_list(check.get("evidence"))]
    return {"check": check.get("check") or "", "expected": _plain(check.get("expected")),
            "seen": _plain(check.get("seen")), "verdict": check.get("verdict") or "",
            "evidence": evidence}


def _plain(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _case_view(case: dict[str, Any], index: int, harness: str, sut_name: str,
               with_bodies: bool, links: bool, chunk: int | None, row: int) -> dict[str, Any]:
    case_id = str(case.get("id") or f"case-{index}")
    messages = [m for m in _as_list(case.get("messages")) if isinstance(m, dict)]
    message_views = [_message_view(case_id, m, with_bodies) for m in messages]
    anchors = {m["seq"]: m["anchor"] for m in message_views}
    href = (lambda m: f"#{case_id}-m{m.get('seq')}") if links else None
    chunk = max(chunk or len(messages), 1)
    origin = next((m.get("time") for m in messages if m.get("time")), None)
    svgs = [Markup(sequence_svg(messages[i:i + chunk], harness=harness, sut=sut_name,
                                href=href, row=row, origin=origin))
            for i in range(0, max(len(messages), 1), chunk)]
    verdict = str(case.get("verdict") or "ERROR")
    search = " ".join(str(case.get(k) or "") for k in
                      ("id", "title", "profile", "octt_id", "spec", "reason", "verdict"))
    return {
        "id": case_id,
        "title": case.get("title") or "",
        "profile": case.get("profile") or "—",
        "octt_id": case.get("octt_id"),
        "versions": _text_list(case.get("versions")),
        "spec": case.get("spec"),
        "requirement": case.get("requirement"),
        "verdict": verdict,
        "reason": case.get("reason"),
        "duration": show_duration(case.get("duration_s")),
        "warnings": [str(w) for w in _as_list(case.get("warnings"))],
        "checks": [_check_view(c, anchors) for c in _as_list(case.get("checks"))],
        "messages": message_views,
        "bodies": with_bodies,
        "problems": sum(1 for m in message_views if m["problem"]),
        "svgs": svgs,
        "search": search.lower(),
    }


def _pics_rows(pics: Any) -> list[tuple[str, str]]:
    if not isinstance(pics, dict):
        return []
    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, dict):
            parts = [f"{str(k).replace('_', ' ')} {shown(v)}" for k, v in value.items()
                     if v not in (None, [], ())]
            return "; ".join(parts) or "—"
        if isinstance(value, (list, tuple)):
            return _text_list(value)
        return "—" if value is None else str(value)

    labels = {"ocpp_version": "OCPP version"}
    return [(labels.get(key, str(key).replace("_", " ").capitalize()), shown(value))
            for key, value in pics.items() if key != "source"]


def build_view(document: dict[str, Any],
               bodies: Callable[[dict[str, Any]], bool] = lambda case: True,
               links: bool = True, chunk: int | None = None, row: int = ROW) -> dict[str, Any]:
    """What the templates render.

    ``bodies(case)`` says whether a case's envelopes are shown; ``links`` whether diagram
    arrows link to their message; a case's diagram is cut every ``chunk`` messages (a page
    cannot split an SVG), ``row`` pixels per message.
    """
    sut = document.get("sut") or {}
    role = sut.get("role") or ""
    identity = sut.get("identity") or {}
    if not isinstance(identity, dict):
        identity = {}
    pics = sut.get("pics") or {}
    run = document.get("run") or {}
    tool = document.get("tool") or {}
    schemas = document.get("schemas") or {}
    raw_cases = [dict(c) for c in _as_list(document.get("cases")) if isinstance(c, dict)]
    for case in raw_cases:  # copies: the document is left as it is
        case["profile"] = case.get("profile") or "—"
        case["verdict"] = case.get("verdict") or "ERROR"
    harness_role = {"central-system": "charge-point", "charge-point": "central-system"}.get(role)
    harness = f"ocppcert (harness, {ROLE_NAMES.get(harness_role, 'peer')})"
    sut_name = f"SUT ({ROLE_NAMES.get(role, role or 'unknown role')})"
    cases = [_case_view(c, i, harness, sut_name, bodies(c), links, chunk, row)
             for i, c in enumerate(raw_cases)]
    profiles = _profile_rows(document, raw_cases)
    mandatory = [r for r in profiles if r["mandatory"]]
    optional = [r for r in profiles if not r["mandatory"]]
    total = _total_row("All profiles", profiles, None)
    started, finished = parse_time(document.get("started")), parse_time(document.get("finished"))
    elapsed = (finished - started).total_seconds() if started and finished else None
    vendor, model = identity.get("vendor"), identity.get("model")
    sut_title = " ".join(str(x) for x in (vendor, model) if x) or "unidentified SUT"
    versions = _text_list(run.get("ocpp_version"))
    hashes = schemas.get("sha256") if isinstance(schemas.get("sha256"), dict) else {}
    return {
        "tool": {"name": tool.get("name") or "ocppcert", "version": tool.get("version") or "?"},
        "host": document.get("host") or "unknown",
        "started": show_time(document.get("started")),
        "finished": show_time(document.get("finished")),
        "elapsed": show_duration(elapsed),
        "sut": {
            "title": sut_title,
            "role": ROLE_NAMES.get(role, role or "unknown"),
            "url": sut.get("url"),
            "identity": [(k, identity.get(k)) for k in ("vendor", "model", "serial", "firmware")],
            "identity_source": sut.get("identity_source"),
        },
        "pics": _pics_rows(pics),
        "pics_source": pics.get("source") if isinstance(pics, dict) else None,
        "run": {"versions": versions, "profiles": _text_list(run.get("profiles")),
                "strict": run.get("strict")},
        "schemas": {"source": schemas.get("source") or "unknown", "sha256": sorted(hashes.items())},
        "profiles": profiles,
        "mandatory": _total_row("Mandatory (" + ", ".join(r["name"] for r in mandatory) + ")",
                                mandatory, True) if mandatory else None,
        "optional": _total_row("Optional", optional, False) if optional else None,
        "total": total,
        "verdicts": VERDICTS,
        "cases": cases,
        "case_profiles": sorted({c["profile"] for c in cases}),
        "messages": sum(len(c["messages"]) for c in cases),
        "headline": f"{sut_title} — OCPP {versions} {ROLE_NAMES.get(role, role)}".strip(),
    }


def _asset(name: str) -> Markup:
    return Markup((TEMPLATES / name).read_text(encoding="utf-8"))


def render_html(document: dict[str, Any]) -> str:
    view = build_view(document)
    return environment().get_template("report.html.j2").render(
        **view, css=_asset("report.css") + "\n" + _asset("screen.css"), js=_asset("report.js"))


def write_html(document: dict[str, Any], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(document), encoding="utf-8")
    return path
