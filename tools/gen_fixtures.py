#!/usr/bin/env python3
"""Write fixtures/envelopes/: sample SOAP messages and the catalogue of their verdicts.

For every operation of every version, request and response:

- ``valid/<version>/<Service>/<Op>.<kind>.xml``: every optional field present, lists of two;
- ``valid/<version>/<Service>/<Op>.<kind>.minimal.xml``: required fields only (when different);
- ``invalid/<version>/<Service>/<Op>.<kind>.<defect>.xml``: the full sample with one seeded
  defect (a required element removed, an enumeration value that does not exist, a string
  over its length limit, a non-integer, an unknown element).

Plus transport fixtures (headers, envelope, faults), bad input (not XML, DTDs, entities,
SOAP 1.1) and fixtures pinning the differences between versions. ``catalog.json`` states
for each file the verdict and, for invalid ones, the violation the seeded defect must
cause: its check, where, and a word the reason must mention. The catalogue is written
from the defect seeded, never from what the validator says.

    python tools/gen_fixtures.py
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import sys
import uuid
from collections.abc import Callable
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Complex, Kind, Message, message_class, operations
from ocppcert.messages.base import FieldInfo, FieldKind
from ocppcert.soap import FaultSubcode, Headers, SoapFault
from ocppcert.soap.envelope import envelope_element, serialize
from ocppcert.versions import SERVICES, OcppVersion, Service, spec_for

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "envelopes"
WHEN = dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.timezone.utc)
CS_URL = "http://127.0.0.1:8180/ocpp/CentralSystemService"
CP_URL = "http://127.0.0.1:8181/ocpp/ChargePointService"
IDENTITY = "CP-0001"

# Realistic values for well-known fields; anything else gets a value of its type.
NAMED_VALUES: dict[str, Any] = {
    "idTag": "TAG-0001",
    "parentIdTag": "GROUP-01",
    "chargePointVendor": "OcppCert",
    "chargePointModel": "RefCP-2",
    "chargePointSerialNumber": "CPSN-000123",
    "chargeBoxSerialNumber": "CBSN-000123",
    "firmwareVersion": "4.2.1",
    "iccid": "8931000000000000001",
    "imsi": "204080000000001",
    "meterType": "EM-3PH",
    "meterSerialNumber": "MTR-0042",
    "vendorId": "org.ocppcert",
    "messageId": "Ping",
    "data": "payload",
    "key": "HeartbeatInterval",
    "location": "ftp://127.0.0.1/ocppcert/",
    "info": "no fault",
    "vendorErrorCode": "E-17",
    "hash": "5f4dcc3b5aa765d61d8327deb882cf99",
    "fileName": "diagnostics-20260301.zip",
    "connectorId": 1,
    "transactionId": 42,
    "meterStart": 1000,
    "meterStop": 2500,
    "heartbeatInterval": 300,
    "interval": 300,
    "retries": 3,
    "retryInterval": 60,
    "reservationId": 7,
    "listVersion": 2,
    "duration": 3600,
    "stackLevel": 0,
    "chargingProfileId": 10,
    "startPeriod": 0,
    "numberPhases": 3,
}
# Some fields hold a number in a string; keep the samples meaningful.
NAMED_STRINGS_BY_OWNER = {("SampledValue", "value"): "1234.5", ("KeyValue", "value"): "300"}


def sample(cls: type[Complex], *, full: bool) -> Complex:
    kwargs: dict[str, Any] = {}
    for attr, info in cls.wire_fields():
        if info.min_occurs == 0 and not full:
            continue
        count = 2 if (info.repeated and full) else max(info.min_occurs, 1)
        values = [_value(cls, info, i, full) for i in range(count)]
        kwargs[attr] = values if info.repeated else values[0]
    return cls(**kwargs)


def _value(owner: type[Complex], info: FieldInfo, index: int, full: bool) -> Any:
    t = info.type
    if isinstance(t, type) and issubclass(t, Complex):
        return sample(t, full=full)
    if isinstance(t, type) and issubclass(t, Enum):
        members = list(t)
        return members[index % len(members)]
    if t is dt.datetime:
        return WHEN + dt.timedelta(minutes=15 * index)
    if t is Decimal:
        return Decimal("16.0")
    if t is bool:
        return index % 2 == 0
    if t is int:
        value = NAMED_VALUES.get(info.xml_name, 1)
        return value + index if isinstance(value, int) else 1
    if info.kind is FieldKind.TEXT:
        return "1234"
    text = NAMED_STRINGS_BY_OWNER.get((owner.__name__, info.xml_name))
    if text is None:
        text = NAMED_VALUES.get(info.xml_name)
    if not isinstance(text, str):
        text = f"{info.xml_name}-{index + 1}"
    if info.max_length is not None:
        text = text[: info.max_length]
    return text


def _message_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'ocppcert-fixture:' + name)}"


def headers_for(cls: type[Message], name: str) -> Headers:
    to_cs = cls.SERVICE == Service.CENTRAL_SYSTEM.value
    if cls.KIND is Kind.REQUEST:
        return Headers(
            action=f"/{cls.OP.value}",
            message_id=_message_id(name),
            charge_box_identity=IDENTITY,
            from_address=CP_URL if to_cs else CS_URL,
            reply_to=ns.WSA_ANONYMOUS,
            to=CS_URL if to_cs else CP_URL,
        )
    return Headers(
        action=f"/{cls.OP.value}Response",
        message_id=_message_id(name),
        relates_to=_message_id(name + "#request"),
    )


def envelope(cls: type[Message], body: etree._Element, name: str, headers: Headers | None = None) -> etree._Element:
    return envelope_element(headers or headers_for(cls, name), body)


def write(root: etree._Element | bytes, relative: str) -> None:
    path = OUT / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(root, bytes):
        path.write_bytes(root)
        return
    etree.indent(root, space="  ")
    path.write_bytes(serialize(root))


CATALOG: list[dict[str, Any]] = []


def record(relative: str, expect: str, purpose: str, **extra: Any) -> None:
    CATALOG.append({"file": relative, "expect": expect, "purpose": purpose, **extra})


def identity(cls: type[Message]) -> dict[str, str]:
    return {
        "ocpp_version": cls.VERSION,
        "service": cls.SERVICE,
        "operation": cls.OP.value,
        "kind": cls.KIND.value,
    }


# -- seeded defects on one body ------------------------------------------------------------
Defect = tuple[str, str, str, str]  # (name, where, mentions, purpose)


def _leaves(cls: type[Complex], element: etree._Element, path: str):
    """(field info, element, path) for every element-valued field, depth first."""
    for _, info in cls.wire_fields():
        if info.kind is not FieldKind.ELEMENT:
            continue
        child = element.find(f"{{{etree.QName(element).namespace}}}{info.xml_name}")
        if child is None:
            continue
        child_path = f"{path}/{info.xml_name}"
        yield info, child, child_path
        if isinstance(info.type, type) and issubclass(info.type, Complex):
            yield from _leaves(info.type, child, child_path)


def seed_defects(cls: type[Message], body: etree._Element) -> list[tuple[etree._Element, Defect]]:
    base = f"/Envelope/Body/{cls.ELEMENT}"
    out: list[tuple[etree._Element, Defect]] = []
    o = cls.NAMESPACE

    def mutated(change: Callable[[etree._Element], None]) -> etree._Element:
        copy = etree.fromstring(etree.tostring(body))
        change(copy)
        return copy

    required = [info for _, info in cls.wire_fields() if info.min_occurs >= 1 and info.kind is FieldKind.ELEMENT]
    if required:
        name = required[0].xml_name
        out.append((
            mutated(lambda b: b.remove(b.find(f"{{{o}}}{name}"))),
            (f"missing-{name}", base, name, f"required element {name} removed"),
        ))
    leaves = list(_leaves(cls, body, base))

    def first(predicate: Callable[[FieldInfo], bool]):
        return next(((i, e, p) for i, e, p in leaves if predicate(i)), None)

    def at(path: str, root: etree._Element) -> etree._Element:
        element = root
        for step in path[len(base) + 1 :].split("/"):
            element = element.find(f"{{{o}}}{step}")
        return element

    enum_leaf = first(lambda i: isinstance(i.type, type) and issubclass(i.type, Enum))
    if enum_leaf:
        info, _, path = enum_leaf

        def set_enum(b: etree._Element, path: str = path) -> None:
            at(path, b).text = "NoSuchValue"

        out.append((mutated(set_enum), (f"bad-enum-{info.xml_name}", path, "",
                                        f"{info.xml_name} holds a value outside its enumeration")))
    long_leaf = first(lambda i: i.max_length is not None)
    if long_leaf:
        info, _, path = long_leaf

        def lengthen(b: etree._Element, path: str = path, limit: int = info.max_length) -> None:
            at(path, b).text = "X" * (limit + 1)

        out.append((mutated(lengthen), (f"too-long-{info.xml_name}", path, str(info.max_length),
                                        f"{info.xml_name} one character over its limit of {info.max_length}")))
    int_leaf = first(lambda i: i.type is int)
    if int_leaf:
        info, _, path = int_leaf

        def not_int(b: etree._Element, path: str = path) -> None:
            at(path, b).text = "twelve"

        out.append((mutated(not_int), (f"not-int-{info.xml_name}", path, "",
                                       f"{info.xml_name} is not an integer")))
    time_leaf = first(lambda i: i.type is dt.datetime)
    if time_leaf:
        info, _, path = time_leaf

        def not_time(b: etree._Element, path: str = path) -> None:
            at(path, b).text = "yesterday"

        out.append((mutated(not_time), (f"not-datetime-{info.xml_name}", path, "",
                                        f"{info.xml_name} is not an xs:dateTime")))
    out.append((
        mutated(lambda b: etree.SubElement(b, f"{{{o}}}unexpectedElement")),
        ("unexpected-element", base, "unexpectedElement", "an element the schema does not declare"),
    ))
    return out


def message_fixtures() -> None:
    for spec in SERVICES:
        for op in operations(spec.version, spec.service):
            for kind in Kind:
                cls = message_class(spec.version, spec.service, op, kind)
                stem = f"{spec.version.value}/{spec.service.value}/{op.value}.{kind.value}"
                full = sample(cls, full=True)
                body = full.to_element()
                write(envelope(cls, body, stem), f"valid/{stem}.xml")
                record(f"valid/{stem}.xml", "valid", "every optional field present", **identity(cls))
                minimal = sample(cls, full=False)
                if minimal != full:
                    write(envelope(cls, minimal.to_element(), stem + ".minimal"), f"valid/{stem}.minimal.xml")
                    record(f"valid/{stem}.minimal.xml", "valid", "required fields only", **identity(cls))
                for mutant, (name, where, mentions, purpose) in seed_defects(cls, full.to_element()):
                    rel = f"invalid/{stem}.{name}.xml"
                    write(envelope(cls, mutant, f"{stem}.{name}"), rel)
                    violation = {"check": "body", "where": where}
                    if mentions:
                        violation["mentions"] = mentions
                    record(rel, "invalid", purpose, violation=violation, **identity(cls))


# -- transport, bad input, versions -------------------------------------------------------
def _doc(cls: type[Message], name: str, *, body: etree._Element | None = None, **header_changes: Any) -> etree._Element:
    headers = headers_for(cls, name)
    if header_changes:
        headers = dataclasses.replace(headers, **header_changes)
    return envelope(cls, body if body is not None else sample(cls, full=False).to_element(), name, headers)


def transport_fixtures() -> None:
    for version in OcppVersion:
        v = version.value
        boot = message_class(version, Service.CENTRAL_SYSTEM, "BootNotification", Kind.REQUEST)
        boot_conf = message_class(version, Service.CENTRAL_SYSTEM, "BootNotification", Kind.RESPONSE)
        reset = message_class(version, Service.CHARGE_POINT, "Reset", Kind.REQUEST)
        d = f"{v}/transport"
        header_defects = [
            (boot, "no-charge-box-identity", {"charge_box_identity": None}, "/Envelope/Header/chargeBoxIdentity", "chargeBoxIdentity", "a request without chargeBoxIdentity"),
            (reset, "no-charge-box-identity", {"charge_box_identity": None}, "/Envelope/Header/chargeBoxIdentity", "chargeBoxIdentity", "a Central System request without chargeBoxIdentity"),
            (boot, "no-action", {"action": None}, "/Envelope/Header/Action", "Action", "a request without wsa:Action"),
            (boot, "wrong-action", {"action": "/Heartbeat"}, "/Envelope/Header/Action", "/BootNotification", "wsa:Action names another operation"),
            (boot_conf, "request-action-on-response", {"action": "/BootNotification"}, "/Envelope/Header/Action", "/BootNotificationResponse", "a response carrying the request's Action"),
            (boot, "no-message-id", {"message_id": None}, "/Envelope/Header/MessageID", "MessageID", "a request without wsa:MessageID"),
            (boot, "bare-uuid-message-id", {"message_id": str(uuid.uuid5(uuid.NAMESPACE_URL, d))}, "/Envelope/Header/MessageID", "urn:uuid", "a MessageID that is a bare UUID"),
            (boot_conf, "no-relates-to", {"relates_to": None}, "/Envelope/Header/RelatesTo", "RelatesTo", "a response without wsa:RelatesTo"),
            (boot, "no-from", {"from_address": None}, "/Envelope/Header/From", "From", "a charge point request without wsa:From"),
            (boot, "anonymous-from", {"from_address": ns.WSA_ANONYMOUS}, "/Envelope/Header/From", "listens", "a charge point request whose From is anonymous"),
            (boot, "no-reply-to", {"reply_to": None}, "/Envelope/Header/ReplyTo", "ReplyTo", "a charge point request without wsa:ReplyTo"),
            (boot, "non-anonymous-reply-to", {"reply_to": CP_URL}, "/Envelope/Header/ReplyTo", "anonymous", "ReplyTo not anonymous: replies are synchronous"),
            (reset, "non-anonymous-reply-to", {"reply_to": CP_URL}, "/Envelope/Header/ReplyTo", "anonymous", "ReplyTo not anonymous on a Central System request"),
            (boot, "no-to", {"to": None}, "/Envelope/Header/To", "To", "a request without wsa:To"),
        ]
        for cls, name, changes, where, mentions, purpose in header_defects:
            side = "cs" if cls.SERVICE == Service.CENTRAL_SYSTEM.value else "cp"
            rel = f"invalid/{d}/{side}-{cls.OP.value}.{cls.KIND.value}.{name}.xml"
            write(_doc(cls, rel, **changes), rel)
            record(rel, "invalid", purpose, violation={"check": "headers", "where": where, "mentions": mentions}, **identity(cls))

        # Real-world variants: valid, with a warning; invalid in strict mode.
        variants = [
            (boot_conf, "cxf-qualified-action", {"action": f"{spec_for(version, Service.CENTRAL_SYSTEM).namespace}CentralSystemService/BootNotificationResponse"}, "/Envelope/Header/Action", "fully qualified wsa:Action, as Apache CXF sends it"),
            (reset, "no-from-no-reply-to", {"from_address": None, "reply_to": None}, "/Envelope/Header/From", "a Central System request without From and ReplyTo, as Apache CXF sends it"),
            (boot, "non-uuid-message-id", {"message_id": "urn:ocppcert:msg:17"}, "/Envelope/Header/MessageID", "an absolute-URI MessageID that is not urn:uuid"),
        ]
        for cls, name, changes, where, purpose in variants:
            side = "cs" if cls.SERVICE == Service.CENTRAL_SYSTEM.value else "cp"
            rel = f"valid/{d}/{side}-{cls.OP.value}.{cls.KIND.value}.{name}.xml"
            write(_doc(cls, rel, **changes), rel)
            record(rel, "valid", purpose, warning={"check": "headers", "where": where}, strict="invalid", **identity(cls))

        # Case-insensitive header name (OCPP-S §3) is fine.
        rel = f"valid/{d}/cs-BootNotification.request.header-name-case.xml"
        root = _doc(boot, rel)
        cbi = root.find(f"{{{ns.SOAP12}}}Header/{{{boot.NAMESPACE}}}chargeBoxIdentity")
        cbi.tag = f"{{{boot.NAMESPACE}}}ChargeBoxIdentity"
        write(root, rel)
        record(rel, "valid", "chargeBoxIdentity header name in another case (the name is case-insensitive)", **identity(boot))

        # Envelope structure.
        def envelope_defect(name: str, change: Callable[[etree._Element], None], where: str, mentions: str, purpose: str, cls: type[Message] = boot, check: str = "envelope", **extra: Any) -> None:
            rel = f"invalid/{d}/{name}.xml"
            root = _doc(cls, rel)
            change(root)
            write(root, rel)
            ident = identity(cls) if check != "envelope" else {}
            record(rel, "invalid", purpose, violation={"check": check, "where": where, "mentions": mentions}, **ident, **extra)

        body_tag = f"{{{ns.SOAP12}}}Body"
        envelope_defect("no-header", lambda r: r.remove(r.find(f"{{{ns.SOAP12}}}Header")), "/Envelope/Header", "Header", "an envelope without a SOAP Header", check="headers")
        envelope_defect("no-body", lambda r: r.remove(r.find(body_tag)), "/Envelope", "Body", "an envelope without a Body")
        envelope_defect("empty-body", lambda r: r.find(body_tag).remove(r.find(body_tag)[0]), "/Envelope/Body", "empty", "an empty Body")
        envelope_defect("two-body-elements", lambda r: r.find(body_tag).append(sample(boot, full=False).to_element()), "/Envelope/Body", "exactly one", "a Body holding two messages")
        envelope_defect("unknown-body-element", lambda r: setattr(r.find(body_tag)[0], "tag", f"{{{boot.NAMESPACE}}}rebootRequest"), "/Envelope/Body/rebootRequest", "rebootRequest", "a body element no operation has", check="body")
        envelope_defect("foreign-body-namespace", lambda r: setattr(r.find(body_tag)[0], "tag", "{urn:example:other}bootNotificationRequest"), "/Envelope/Body/bootNotificationRequest", "namespace", "a body element outside every OCPP namespace", check="body")

        # SOAP faults: one per OCPP subcode, answering a request.
        request_headers = headers_for(boot, f"{d}/fault-request")
        for subcode in FaultSubcode:
            rel = f"valid/{d}/fault-{subcode.value}.xml"
            fault = SoapFault(subcode, f"ocppcert sample fault: {subcode.value}")
            headers = Headers(action=ns.WSA_FAULT_ACTION, message_id=_message_id(rel), relates_to=request_headers.message_id)
            write(envelope_element(headers, fault.to_element(boot.NAMESPACE), ocpp_namespace=""), rel)
            record(rel, "valid", f"SOAP 1.2 fault with OCPP subcode {subcode.value}", kind="fault")
        # A fault to input whose MessageID could not be read has nothing to relate to
        # (WS-Addressing 1.0 Core §3.4); one message alone cannot tell, so: a warning.
        rel = f"valid/{d}/fault-no-relates-to.xml"
        headers = Headers(action=ns.WSA_FAULT_ACTION, message_id=_message_id(rel))
        write(envelope_element(headers, SoapFault(FaultSubcode.PROTOCOL_ERROR, "x").to_element(boot.NAMESPACE), ocpp_namespace=""), rel)
        record(rel, "valid", "a fault without RelatesTo, as to a request whose MessageID could not be read", kind="fault", warning={"check": "headers", "where": "/Envelope/Header/RelatesTo"}, strict="invalid")
        rel = f"invalid/{d}/fault-bad-code.xml"
        fault_el = SoapFault(FaultSubcode.PROTOCOL_ERROR, "x").to_element(boot.NAMESPACE)
        fault_el.find(f"{{{ns.SOAP12}}}Code/{{{ns.SOAP12}}}Value").text = "s:Client"
        headers = Headers(action=ns.WSA_FAULT_ACTION, message_id=_message_id(rel), relates_to=request_headers.message_id)
        write(envelope_element(headers, fault_el, ocpp_namespace=""), rel)
        record(rel, "invalid", "a SOAP 1.1 fault code (Client) inside a SOAP 1.2 fault", kind="fault", violation={"check": "body", "where": "/Envelope/Body/Fault/Code/Value", "mentions": "Client"})

        # Another version's body where this version is expected.
        other = {"1.2": "1.5", "1.5": "1.6", "1.6": "1.5"}[v]
        foreign = message_class(other, Service.CENTRAL_SYSTEM, "Heartbeat", Kind.REQUEST)
        rel = f"invalid/{d}/heartbeat-in-{other}-namespace.xml"
        write(_doc(foreign, rel), rel)
        record(rel, "invalid", f"an OCPP {other} body where OCPP {v} is expected", ocpp=v,
               violation={"check": "body", "where": "/Envelope/Body/heartbeatRequest", "mentions": f"OCPP {v}"}, **identity(foreign))


BAD_INPUT: dict[str, tuple[bytes, str, str]] = {
    "not-well-formed": (b'<?xml version="1.0"?>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>\n</s:Envelope>\n', "well-formed", "tags that do not match"),
    "not-xml": (b"HTTP/1.1 500 Internal Server Error: something broke\n", "well-formed", "plain text where XML is expected"),
    "empty": (b"", "empty", "an empty message"),
    "billion-laughs": (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(f' <!ENTITY lol{i} "{"&lol" + ("" if i == 1 else str(i - 1)) + ";" * 1}{("&lol" + ("" if i == 1 else str(i - 1)) + ";") * 9}">\n'.encode() for i in range(1, 10))
        + b']>\n<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&lol9;</s:Body></s:Envelope>\n',
        "DTD", "exponential entity expansion (billion laughs)",
    ),
    "xxe-local-file": (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>&xxe;</s:Body></s:Envelope>\n',
        "DTD", "an external entity reading a local file (XXE)",
    ),
    "xxe-network": (
        b'<?xml version="1.0"?>\n<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">\n'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>\n',
        "DTD", "an external DTD fetched over the network",
    ),
}


def bad_input_fixtures() -> None:
    for name, (data, mentions, purpose) in BAD_INPUT.items():
        rel = f"invalid/input/{name}.xml"
        write(data, rel)
        record(rel, "invalid", purpose, violation={"check": "xml", "where": "/", "mentions": mentions})
    boot = message_class("1.6", Service.CENTRAL_SYSTEM, "BootNotification", Kind.REQUEST)
    rel = "invalid/input/soap11-envelope.xml"
    root = _doc(boot, rel)
    soap11 = etree.fromstring(etree.tostring(root).replace(ns.SOAP12.encode(), ns.SOAP11.encode()))
    write(soap11, rel)
    record(rel, "invalid", "a SOAP 1.1 envelope", violation={"check": "envelope", "where": "/", "mentions": "SOAP 1.1"})


def version_fixtures() -> None:
    """Pin the differences between versions that most often break interoperability."""

    def pin(version: str, service: Service, op: str, kind: Kind, name: str, change: Callable[[etree._Element, str], None], expect: str, purpose: str, violation: dict[str, str] | None = None) -> None:
        cls = message_class(version, service, op, kind)
        body = sample(cls, full=True).to_element()
        change(body, cls.NAMESPACE)
        rel = f"{expect}/{version}/versions/{op}.{kind.value}.{name}.xml"
        write(envelope(cls, body, rel), rel)
        extra = {"violation": violation} if violation else {}
        record(rel, expect, purpose, **extra, **identity(cls))

    def rename(old: str, new: str) -> Callable[[etree._Element, str], None]:
        def change(body: etree._Element, o: str) -> None:
            body.find(f"{{{o}}}{old}").tag = f"{{{o}}}{new}"
        return change

    def set_text(path: str, text: str) -> Callable[[etree._Element, str], None]:
        def change(body: etree._Element, o: str) -> None:
            body.find("/".join(f"{{{o}}}{p}" for p in path.split("/"))).text = text
        return change

    cs, cp = Service.CENTRAL_SYSTEM, Service.CHARGE_POINT
    boot_conf = "/Envelope/Body/bootNotificationResponse"
    # heartbeatInterval (1.2, 1.5) vs interval (1.6)
    pin("1.5", cs, "BootNotification", Kind.RESPONSE, "interval-of-1.6", rename("heartbeatInterval", "interval"), "invalid",
        "OCPP 1.6's interval in a 1.5 BootNotification response", {"check": "body", "where": boot_conf, "mentions": "interval"})
    pin("1.2", cs, "BootNotification", Kind.RESPONSE, "interval-of-1.6", rename("heartbeatInterval", "interval"), "invalid",
        "OCPP 1.6's interval in a 1.2 BootNotification response", {"check": "body", "where": boot_conf, "mentions": "interval"})
    pin("1.6", cs, "BootNotification", Kind.RESPONSE, "heartbeat-interval-of-1.5", rename("interval", "heartbeatInterval"), "invalid",
        "OCPP 1.5's heartbeatInterval in a 1.6 BootNotification response", {"check": "body", "where": boot_conf, "mentions": "heartbeatInterval"})
    # Pending exists only in 1.6
    pin("1.6", cs, "BootNotification", Kind.RESPONSE, "pending", set_text("status", "Pending"), "valid", "Pending registration (1.6 only)")
    pin("1.5", cs, "BootNotification", Kind.RESPONSE, "pending-of-1.6", set_text("status", "Pending"), "invalid",
        "Pending registration does not exist in 1.5", {"check": "body", "where": boot_conf + "/status"})

    # Meter values: 1.5 attributes on value vs 1.6 sampledValue elements
    def sampled_value_in_15(body: etree._Element, o: str) -> None:
        mv = body.find(f"{{{o}}}values")
        for value in mv.findall(f"{{{o}}}value"):
            mv.remove(value)
        sv = etree.SubElement(mv, f"{{{o}}}sampledValue")
        etree.SubElement(sv, f"{{{o}}}value").text = "1234"

    pin("1.5", cs, "MeterValues", Kind.REQUEST, "sampled-value-of-1.6", sampled_value_in_15, "invalid",
        "OCPP 1.6 sampledValue elements in a 1.5 MeterValues request", {"check": "body", "where": "/Envelope/Body/meterValuesRequest/values", "mentions": "sampledValue"})

    def attributes_in_16(body: etree._Element, o: str) -> None:
        sv = body.find(f"{{{o}}}meterValue/{{{o}}}sampledValue")
        for child in list(sv)[1:]:
            sv.remove(child)
        sv.find(f"{{{o}}}value").set("measurand", "Energy.Active.Import.Register")

    pin("1.6", cs, "MeterValues", Kind.REQUEST, "value-attributes-of-1.5", attributes_in_16, "invalid",
        "OCPP 1.5 attributes on a 1.6 sampledValue value", {"check": "body", "where": "/Envelope/Body/meterValuesRequest/meterValue/sampledValue/value", "mentions": "measurand"})

    def plain_value_in_15(body: etree._Element, o: str) -> None:
        mv = body.find(f"{{{o}}}values")
        for value in mv.findall(f"{{{o}}}value"):
            for attr in list(value.attrib):
                del value.attrib[attr]

    pin("1.5", cs, "MeterValues", Kind.REQUEST, "value-without-attributes", plain_value_in_15, "valid",
        "1.5 meter values without attributes (all are optional)")

    # The 1.5 list hash and HashError
    pin("1.5", cp, "SendLocalList", Kind.RESPONSE, "hash-error", set_text("status", "HashError"), "valid", "HashError (1.5 only)")
    pin("1.6", cp, "SendLocalList", Kind.RESPONSE, "hash-error-of-1.5", set_text("status", "HashError"), "invalid",
        "HashError does not exist in 1.6", {"check": "body", "where": "/Envelope/Body/sendLocalListResponse/status"})

    def hash_in_16(body: etree._Element, o: str) -> None:
        etree.SubElement(body, f"{{{o}}}hash").text = "5f4dcc3b5aa765d61d8327deb882cf99"

    pin("1.6", cp, "SendLocalList", Kind.REQUEST, "hash-of-1.5", hash_in_16, "invalid",
        "the 1.5 list hash in a 1.6 SendLocalList request", {"check": "body", "where": "/Envelope/Body/sendLocalListRequest", "mentions": "hash"})

    def long_hash(body: etree._Element, o: str) -> None:
        body.find(f"{{{o}}}hash").text = "f" * 65

    # The 1.5 spec text sizes the hash string[64], but its WSDL types it plain xs:string:
    # schema validation cannot object; the local-list behaviour cases check the length.
    pin("1.5", cp, "SendLocalList", Kind.REQUEST, "hash-over-64", long_hash, "valid",
        "a 1.5 list hash over 64 characters passes the schema (the WSDL leaves it unbounded)")
    pin("1.5", cp, "SendLocalList", Kind.REQUEST, "authorization-list-of-1.6", rename("localAuthorisationList", "localAuthorizationList"), "invalid",
        "1.6 spelling localAuthorizationList in 1.5 (which spells it localAuthorisationList)", {"check": "body", "where": "/Envelope/Body/sendLocalListRequest", "mentions": "localAuthorizationList"})

    # The 1.2 four-status connector set
    status_path = "/Envelope/Body/statusNotificationRequest/status"
    for status in ("Available", "Occupied", "Faulted", "Unavailable"):
        pin("1.2", cs, "StatusNotification", Kind.REQUEST, f"status-{status}", set_text("status", status), "valid", f"1.2 connector status {status}")
    for status in ("Reserved", "Preparing", "Charging"):
        pin("1.2", cs, "StatusNotification", Kind.REQUEST, f"status-{status}", set_text("status", status), "invalid",
            f"connector status {status} does not exist in 1.2", {"check": "body", "where": status_path})
    pin("1.5", cs, "StatusNotification", Kind.REQUEST, "status-Reserved", set_text("status", "Reserved"), "valid", "Reserved appears in 1.5")
    pin("1.5", cs, "StatusNotification", Kind.REQUEST, "status-Charging", set_text("status", "Charging"), "invalid",
        "Charging is a 1.6 status", {"check": "body", "where": status_path})
    pin("1.6", cs, "StatusNotification", Kind.REQUEST, "status-Occupied", set_text("status", "Occupied"), "invalid",
        "1.6 replaced Occupied by Preparing/Charging/…", {"check": "body", "where": status_path})
    for status in ("Preparing", "Charging", "SuspendedEV", "SuspendedEVSE", "Finishing"):
        pin("1.6", cs, "StatusNotification", Kind.REQUEST, f"status-{status}", set_text("status", status), "valid", f"1.6 connector status {status}")


def main() -> int:
    if OUT.exists():
        shutil.rmtree(OUT)
    message_fixtures()
    transport_fixtures()
    bad_input_fixtures()
    version_fixtures()
    CATALOG.sort(key=lambda e: e["file"])
    files = [e["file"] for e in CATALOG]
    if len(files) != len(set(files)):
        raise SystemExit("duplicate fixture names")
    (OUT / "catalog.json").write_text(
        json.dumps({"description": "Expected verdict of every fixture; written by tools/gen_fixtures.py "
                    "from the defect each file seeds.", "fixtures": CATALOG}, indent=1) + "\n",
        encoding="utf-8",
    )
    counts: dict[str, dict[str, int]] = {}
    for e in CATALOG:
        version = e["file"].split("/")[1]
        counts.setdefault(version, {"valid": 0, "invalid": 0})[e["expect"]] += 1
    for version, c in sorted(counts.items()):
        print(f"{version}: {c['valid']} valid, {c['invalid']} invalid")
    print(f"total: {len(CATALOG)} fixtures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
