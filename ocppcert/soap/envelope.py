"""SOAP 1.2 envelopes: build them from typed messages, take them apart on receipt."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Message, message_for_element
from ocppcert.soap.headers import Headers, read_headers, write_headers
from ocppcert.xml import DEFAULT_MAX_BYTES, XmlRejected, parse

ENVELOPE = f"{{{ns.SOAP12}}}Envelope"
HEADER = f"{{{ns.SOAP12}}}Header"
BODY = f"{{{ns.SOAP12}}}Body"
FAULT = f"{{{ns.SOAP12}}}Fault"
_NSMAP = {"s": ns.SOAP12, "a": ns.WSA}


class EnvelopeError(ValueError):
    """The bytes are not a usable SOAP 1.2 envelope; ``reason`` is one line."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True, slots=True)
class EnvelopeProblem:
    where: str
    reason: str
    line: int | None


@dataclass(frozen=True, slots=True)
class EnvelopeParts:
    header: etree._Element | None
    body: etree._Element | None
    payload: etree._Element | None  # the one element inside Body
    problems: tuple[EnvelopeProblem, ...]


def split_envelope(root: etree._Element) -> EnvelopeParts:
    """Find Header, Body and the body's payload element, noting every structural problem."""
    problems: list[EnvelopeProblem] = []
    if root.tag != ENVELOPE:
        qname = etree.QName(root)
        if qname.namespace == ns.SOAP11:
            reason = "SOAP 1.1 envelope: OCPP requires SOAP 1.2 (" + ns.SOAP12 + ")"
        elif qname.localname == "Envelope":
            reason = f"Envelope in namespace {qname.namespace!r}, expected SOAP 1.2 ({ns.SOAP12})"
        else:
            reason = f"root element {root.tag} is not a SOAP 1.2 Envelope"
        return EnvelopeParts(None, None, None, (EnvelopeProblem("/", reason, root.sourceline),))
    header = body = None
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag == HEADER and header is None and body is None:
            header = child
        elif child.tag == BODY and body is None:
            body = child
        else:
            problems.append(
                EnvelopeProblem(
                    "/Envelope", f"unexpected element {child.tag} in Envelope", child.sourceline
                )
            )
    if body is None:
        problems.append(EnvelopeProblem("/Envelope", "Envelope has no Body", root.sourceline))
        return EnvelopeParts(header, None, None, tuple(problems))
    elements = [c for c in body if isinstance(c.tag, str)]
    payload = elements[0] if elements else None
    if not elements:
        problems.append(EnvelopeProblem("/Envelope/Body", "Body is empty", body.sourceline))
    elif len(elements) > 1:
        problems.append(
            EnvelopeProblem(
                "/Envelope/Body",
                f"Body holds {len(elements)} elements; an OCPP message has exactly one",
                elements[1].sourceline,
            )
        )
    if (body.text or "").strip() or any((c.tail or "").strip() for c in elements):
        problems.append(EnvelopeProblem("/Envelope/Body", "text content in Body", body.sourceline))
    return EnvelopeParts(header, body, payload, tuple(problems))


@dataclass(frozen=True, slots=True)
class Envelope:
    headers: Headers
    payload: etree._Element
    root: etree._Element

    @property
    def is_fault(self) -> bool:
        return self.payload.tag == FAULT

    @property
    def namespace(self) -> str | None:
        return etree.QName(self.payload).namespace

    def message_class(self) -> type[Message] | None:
        return None if self.is_fault else message_for_element(self.payload.tag)

    def message(self) -> Message:
        """Decode the payload as its typed message (raises on a fault or an unknown body)."""
        cls = self.message_class()
        if cls is None:
            raise EnvelopeError(f"body element {self.payload.tag} is no OCPP message")
        return cls.from_element(self.payload)


def parse_envelope(data: bytes | etree._Element, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Envelope:
    """Parse bytes (through the hardened parser) or a parsed root into an :class:`Envelope`.

    Raises :class:`EnvelopeError` on the first structural problem; the schema checks in
    :mod:`ocppcert.schema` report all of them instead.
    """
    if isinstance(data, bytes):
        try:
            root = parse(data, max_bytes=max_bytes)
        except XmlRejected as exc:
            raise EnvelopeError(exc.reason, exc.line) from None
    else:
        root = data
    parts = split_envelope(root)
    if parts.problems:
        first = parts.problems[0]
        raise EnvelopeError(first.reason, first.line)
    assert parts.payload is not None
    return Envelope(read_headers(parts.header), parts.payload, root)


def envelope_element(
    headers: Headers, payload: etree._Element, *, ocpp_namespace: str | None = None
) -> etree._Element:
    """An Envelope element around ``payload``; chargeBoxIdentity goes in ``ocpp_namespace``
    (default: the payload's own namespace, as the WSDLs bind it)."""
    namespace = ocpp_namespace or etree.QName(payload).namespace or ""
    nsmap = dict(_NSMAP)
    if namespace:
        nsmap["o"] = namespace
    root = etree.Element(ENVELOPE, nsmap=nsmap)
    header = etree.SubElement(root, HEADER)
    write_headers(header, headers, namespace)
    body = etree.SubElement(root, BODY)
    body.append(payload)
    return root


def build_envelope(
    headers: Headers, body: Message | etree._Element, *, ocpp_namespace: str | None = None
) -> bytes:
    """Serialise a complete SOAP 1.2 message, XML declaration included (OCPP-S §3)."""
    payload = body.to_element() if isinstance(body, Message) else body
    return serialize(envelope_element(headers, payload, ocpp_namespace=ocpp_namespace))


XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with the XML declaration in the form OCPP-S §3 shows."""
    return XML_DECLARATION + etree.tostring(root, encoding="UTF-8", xml_declaration=False)


def as_soap11(root: etree._Element) -> etree._Element:
    """The same message in a SOAP 1.1 envelope, for cases that check a SOAP 1.2 node turns
    SOAP 1.1 away (VersionMismatch): same header blocks, mustUnderstand in 1.1's namespace."""
    s12, s11 = f"{{{ns.SOAP12}}}", f"{{{ns.SOAP11}}}"
    envelope = etree.Element(f"{s11}Envelope", nsmap={"soap": ns.SOAP11, "wsa": ns.WSA})
    header = etree.SubElement(envelope, f"{s11}Header")
    body = etree.SubElement(envelope, f"{s11}Body")
    for block in root.find(f"{s12}Header"):
        if block.get(f"{s12}mustUnderstand") is not None:
            del block.attrib[f"{s12}mustUnderstand"]
            block.set(f"{s11}mustUnderstand", "1")
        header.append(block)
    for payload in root.find(f"{s12}Body"):
        body.append(payload)
    return envelope
