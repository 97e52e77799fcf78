"""An SVG sequence diagram of one case's wire messages (report.html and report.pdf).

Two lifelines: the harness (ocppcert, playing the peer role) on the left, the SUT on the
right. One arrow per recorded message, in recorded order: ``out`` messages (sent by the
harness) point right, ``in`` messages (sent by the SUT) point left. Responses are dashed;
SOAP faults and messages with schema violations are red; each label carries ``#seq`` and,
in the HTML, links to the message's envelope.

Plain string building, no dependencies: every piece of text from the report is escaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from html import escape
from typing import Any

WIDTH = 720
LEFT_X, RIGHT_X = 200, 590
HEAD = 220  # width of a lifeline's name box
TOP = 44  # below the lifeline heads
ROW = 34
FONT = "font-family=\"Helvetica, Arial, sans-serif\""

COLOR_OUT = "#1f4e8c"
COLOR_IN = "#2b2b2b"
COLOR_BAD = "#c62828"
COLOR_WARN = "#a15c00"


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO 8601 time of report.json, or None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None


def message_label(message: dict[str, Any]) -> str:
    """``#seq Operation kind`` (or what is known of a message that has no operation)."""
    seq = message.get("seq")
    parts = [f"#{seq}" if seq is not None else "#?"]
    operation = message.get("operation")
    kind = message.get("kind")
    if operation:
        parts.append(str(operation))
    if kind:
        parts.append(str(kind))
    if not operation and not kind:
        status = message.get("http_status")
        parts.append(f"HTTP {status}" if status else "message")
    return " ".join(parts)


def message_problem(message: dict[str, Any]) -> str | None:
    """Why the arrow is red: a fault, schema violations, or an invalid message; else None."""
    problems = []
    if message.get("kind") == "fault":
        problems.append("SOAP fault")
    violations = message.get("violations") or []
    if violations:
        problems.append(f"{len(violations)} violation{'s' if len(violations) != 1 else ''}")
    elif message.get("valid") is False:
        problems.append("invalid")
    status = message.get("http_status")
    if isinstance(status, int) and status >= 400 and message.get("kind") != "fault":
        problems.append(f"HTTP {status}")
    return ", ".join(problems) or None


def sequence_svg(messages: Sequence[dict[str, Any]], *, harness: str, sut: str,
                 href: Callable[[dict[str, Any]], str] | None = None, row: int = ROW,
                 origin: str | None = None) -> str:
    """The diagram as an ``<svg>`` element (a string, already escaped).

    ``harness`` and ``sut`` name the two lifelines; ``href(message)`` gives the link target of
    an arrow (None: no links, e.g. in the PDF); ``row`` is the height of one message;
    time offsets count from ``origin`` (default: the first message's time).
    """
    height = TOP + row * max(len(messages), 1) + 24
    first = parse_time(origin) or next(
        (t for t in (parse_time(m.get("time")) for m in messages) if t), None)
    aria = f"Sequence of {len(messages)} messages between {harness} and {sut}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="seq" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(aria)}">',
    ]
    for x, name, color in ((LEFT_X, harness, COLOR_OUT), (RIGHT_X, sut, COLOR_IN)):
        label = name if len(name) <= 36 else name[:35] + "…"
        out.append(f'<rect x="{x - HEAD // 2}" y="4" width="{HEAD}" height="26" rx="4" '
                   f'fill="#f2f4f7" stroke="{color}"/>')
        out.append(f'<text x="{x}" y="21" {FONT} font-size="11" '
                   f'font-weight="bold" text-anchor="middle" fill="{color}">{escape(label)}</text>')
        out.append(f'<line x1="{x}" y1="30" x2="{x}" y2="{height - 6}" stroke="#9aa3ad" '
                   f'stroke-dasharray="4 3"/>')
    if not messages:
        out.append(f'<text x="{(LEFT_X + RIGHT_X) // 2}" y="{TOP + 14}" {FONT} font-size="11" '
                   f'text-anchor="middle" fill="#666">no messages recorded</text>')
    for index, message in enumerate(messages):
        y = TOP + row * index + 20
        outbound = message.get("direction") == "out"
        problem = message_problem(message)
        warned = bool(message.get("warnings"))
        color = COLOR_BAD if problem else (COLOR_OUT if outbound else COLOR_IN)
        x1, x2 = (LEFT_X, RIGHT_X) if outbound else (RIGHT_X, LEFT_X)
        tip = x2 - 8 if outbound else x2 + 8
        dash = ' stroke-dasharray="6 4"' if message.get("kind") in ("response", "fault") else ""
        label = message_label(message)
        if problem:
            label += f" ✗ {problem}"
        elif warned:
            label += " ⚠ warning"
        when = parse_time(message.get("time"))
        offset = f"+{(when - first).total_seconds():.3f} s" if when and first else ""
        link = href(message) if href else None
        if link:
            out.append(f'<a href="{escape(link)}">')
        title = message.get("note") or label
        out.append(f"<g><title>{escape(str(title))}</title>")
        out.append(f'<text x="8" y="{y + 4}" {FONT} font-size="10" fill="#777">'
                   f"{escape(offset)}</text>")
        out.append(f'<line x1="{x1}" y1="{y}" x2="{tip}" y2="{y}" stroke="{color}" '
                   f'stroke-width="{2 if problem else 1.4}"{dash}/>')
        direction = 1 if outbound else -1
        out.append(f'<polygon points="{x2},{y} {x2 - 9 * direction},{y - 4} '
                   f'{x2 - 9 * direction},{y + 4}" fill="{color}"/>')
        text_color = COLOR_BAD if problem else (COLOR_WARN if warned else color)
        weight = ' font-weight="bold"' if problem else ""
        out.append(f'<text x="{(LEFT_X + RIGHT_X) // 2}" y="{y - 5}" {FONT} font-size="11" '
                   f'text-anchor="middle" fill="{text_color}"{weight}>{escape(label)}</text>')
        out.append("</g>")
        if link:
            out.append("</a>")
    out.append("</svg>")
    return "".join(out)
