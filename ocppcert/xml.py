"""The one hardened XML parser for every inbound byte.

No DTD, no entity expansion, no network access, and a size limit. Both the
harness and the reference implementations parse through :func:`parse`.
"""

from __future__ import annotations

import threading
from typing import BinaryIO

from lxml import etree

DEFAULT_MAX_BYTES = 1024 * 1024


class XmlRejected(ValueError):
    """The input is not a document ocppcert will accept; ``reason`` is one line."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


_local = threading.local()


def _parser() -> etree.XMLParser:
    # lxml parsers are not thread-safe; one per thread, reused.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            load_dtd=False,
            dtd_validation=False,
            no_network=True,
            huge_tree=False,
            remove_blank_text=False,
            collect_ids=False,
        )
        _local.parser = parser
    return parser


_DTD_MARKERS = (b"<!DOCTYPE", b"<!ENTITY")
# UTF-16/32 input cannot be scanned for markers as bytes; the parsed tree is checked instead.


def parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse ``data`` into an element tree, refusing anything unsafe.

    Raises :class:`XmlRejected` with a one-line reason for: input over ``max_bytes``,
    a DTD or entity declaration, and anything that is not well-formed XML.
    """
    if len(data) > max_bytes:
        raise XmlRejected(f"message of {len(data)} bytes exceeds the limit of {max_bytes} bytes")
    if not data or data.isspace():
        raise XmlRejected("empty message: no XML document")
    # A one-byte search is a memchr; the markers are searched only if it hits (comments
    # and CDATA carry "!" too).
    if b"!" in data and any(marker in data for marker in _DTD_MARKERS):
        raise XmlRejected("document type declaration or entity found: DTDs and entities are refused")
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise XmlRejected(f"not well-formed XML: {exc.msg}", line) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise XmlRejected("document type declaration found: DTDs and entities are refused")
    # With no DTD, the only entity references that parse are the five predefined ones.
    return root


def read_limited(stream: BinaryIO, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Read at most ``max_bytes + 1`` bytes so an oversized input is caught without buffering it."""
    return stream.read(max_bytes + 1)
