"""What the SOAP transport cases share: messages built by hand and sent to the charge point,
its answers taken apart, and its own requests read back from the wire record.

The harness's typed ``cs.command`` judges a reply as a whole; these cases look at one
property of it (a header, the media type, the HTTP status), so they go one level lower
and keep every exchange in the wire record all the same. A message that breaks a rule on
purpose is recorded without a validation report and with a note saying so, so that the
record shows it as deliberate rather than as a harness defect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Kind, Message, MessageDecodeError, Op, message_class
from ocppcert.schema.validator import Check, MessageReport
from ocppcert.soap import FaultCode, FaultSubcode, Headers, SoapFault
from ocppcert.soap.envelope import FAULT, envelope_element, serialize, split_envelope
from ocppcert.soap.headers import read_header_values
from ocppcert.transport import Direction, TransportError, WireRecord
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type, soap_content_type
from ocppcert.verdicts import CaseFailed, HarnessError
from ocppcert.versions import OcppVersion, Service, spec_for
from ocppcert.xml import XmlRejected, parse

CP = Service.CHARGE_POINT
REPLY_TIMEOUT = 15.0  # s: a charge point answers a command on the same HTTP exchange
REQUEST_TIMEOUT = 15.0  # s: a request the charge point was just prompted to send
QUIET = 2.5  # s: watched for a Heartbeat that a refused HeartbeatInterval=1 would cause
SOAP11_CONTENT_TYPE = "text/xml; charset=utf-8"
_SOAP11_ENVELOPE = f"{{{ns.SOAP11}}}Envelope"
_SOAP11_FAULT = f"{{{ns.SOAP11}}}Fault"
_RELATES_TO = "/Envelope/Header/RelatesTo"


def heartbeat_key(version: OcppVersion) -> str:
    # 1.2 and 1.5 spell it HeartBeatInterval, 1.6 HeartbeatInterval.
    return "HeartbeatInterval" if version is OcppVersion.V16 else "HeartBeatInterval"


def station_url(cs: Any, charge_point: Any) -> str:
    """Where the charge point serves its ChargePointService: as the driver knows it, or as
    the harness learnt it from wsa:From."""
    url = charge_point.url or cs.sut_url
    if not url:
        raise HarnessError("the charge point's address is unknown: no --sut-url, and no "
                           "wsa:From received from it")
    return url


def same_endpoint(a: str, b: str) -> bool:
    """Two URLs naming one HTTP endpoint (scheme and host case, default port, and a
    trailing slash do not matter)."""
    first, second = urlsplit(a.strip()), urlsplit(b.strip())
    defaults = {"http": 80, "https": 443}

    def key(url: Any) -> tuple[str, str, int | None, str]:
        scheme = url.scheme.lower()
        try:
            port = url.port or defaults.get(scheme)
        except ValueError:
            port = None
        return scheme, (url.hostname or "").lower(), port, url.path.rstrip("/")

    return key(first) == key(second)


# -- what the charge point answered --------------------------------------------------------
@dataclass
class Exchange:
    """One hand-built request to the charge point and its HTTP reply."""

    sent: WireRecord
    answer: WireRecord
    request_headers: Headers | None
    status: int
    content_type: str
    body: bytes
    report: MessageReport | None
    root: etree._Element | None
    what: str  # the request in a few words, for reasons

    @property
    def evidence(self) -> tuple[int, ...]:
        return (self.sent.seq, self.answer.seq)

    @property
    def headers(self) -> Headers:
        values = _header_values_of(self.root) if self.root is not None else {}
        return Headers(**values)  # type: ignore[arg-type]

    @property
    def payload(self) -> etree._Element | None:
        if self.root is None:
            return None
        for body in self.root:
            if isinstance(body.tag, str) and etree.QName(body).localname == "Body":
                return next((c for c in body if isinstance(c.tag, str)), None)
        return None

    @property
    def is_soap11(self) -> bool:
        return self.root is not None and self.root.tag == _SOAP11_ENVELOPE

    @property
    def fault(self) -> SoapFault | None:
        """The SOAP 1.2 fault the charge point answered with, if it did."""
        payload = self.payload
        if payload is None or payload.tag != FAULT:
            return None
        return SoapFault.from_element(payload)

    @property
    def soap11_fault_code(self) -> str | None:
        """The local name of a SOAP 1.1 fault's faultcode, if the answer is one."""
        payload = self.payload
        if not self.is_soap11 or payload is None or payload.tag != _SOAP11_FAULT:
            return None
        code = (payload.findtext("faultcode") or "").strip()
        return code.rpartition(":")[2] or None

    def describe(self) -> str:
        """The reply in a few words, for a reason."""
        kind = media_type(self.content_type) or "no content type"
        if not self.body:
            what = "an empty body"
        elif self.root is None:
            what = f"a body that is not XML ({self.body[:60]!r})"
        elif self.payload is None:
            what = f"a {etree.QName(self.root).localname} without a SOAP body element"
        elif self.fault is not None:
            fault = self.fault
            sub = getattr(fault.subcode, "value", fault.subcode)
            what = f"a SOAP fault {fault.code.value}/{sub or '-'} ({fault.reason!r})"
        else:
            what = f"{{{etree.QName(self.payload).namespace}}}{etree.QName(self.payload).localname}"
        return f"HTTP {self.status} ({kind}) with {what}"


def _header_values_of(root: etree._Element) -> dict[str, str | None]:
    header = next((c for c in root if isinstance(c.tag, str)
                   and etree.QName(c).localname == "Header"), None)
    return read_header_values(header)[0]


def header_values(record: WireRecord) -> dict[str, str | None]:
    """The OCPP header values of a recorded message (``Headers`` field names)."""
    try:
        root = parse(record.data)
    except XmlRejected:
        return {}
    return read_header_values(split_envelope(root).header)[0]


# -- sending -------------------------------------------------------------------------------
async def deliver(cs: Any, data: bytes, *, url: str, what: str, action: str | None = None,
                  content_type: str | None = None, http_headers: dict[str, str] | None = None,
                  wire_data: bytes | None = None, deliberate: str | None = None,
                  relates_to_expected: bool = True, soap11_answer_allowed: bool = False,
                  timeout: float = REPLY_TIMEOUT) -> Exchange:
    """POST ``data`` to the charge point and record both directions.

    ``deliberate`` says how the message breaks the rules on purpose (it is then recorded
    unjudged). ``wire_data`` is what actually travels if it differs from ``data`` (e.g.
    compressed). ``relates_to_expected=False`` when the request carried no MessageID the
    charge point could read, so that its fault cannot relate to one. A charge point that
    gives no HTTP answer at all fails the case.
    """
    sent_report = None if deliberate else cs.validator.check(data)
    sent = cs.recorder.record(Direction.OUT, data, url, sent_report,
                              note=f"deliberately {deliberate}" if deliberate else None,
                              content_type=content_type or soap_content_type(action))
    try:
        reply = await cs.client.post(url, data if wire_data is None else wire_data,
                                     action=action, timeout=timeout, content_type=content_type,
                                     headers=http_headers)
    except TransportError as exc:
        cs.recorder.record(Direction.IN, b"", url, None, note=f"transport error: {exc}")
        provoked = deliberate or any(
            r.direction is Direction.OUT and (r.note or "").startswith("deliberately")
            for r in cs.recorder.records if cs.case_start < r.seq < sent.seq)
        if not provoked:  # unreachable from the start: nothing here to judge the SUT by
            raise HarnessError(f"{what} could not be delivered: {exc.reason}") from None
        raise CaseFailed(f"the charge point gave no HTTP answer to {what}"
                         f"{'' if deliberate else ' after a malformed request'}: {exc.reason}",
                         evidence=(sent.seq,)) from None
    root = None
    try:
        root = parse(reply.body) if reply.body else None
    except XmlRejected:
        root = None
    report: MessageReport | None = None
    note = None
    if not reply.body:
        note = "empty HTTP body"
    elif soap11_answer_allowed and root is not None and root.tag == _SOAP11_ENVELOPE:
        note = "a SOAP 1.1 answer to a SOAP 1.1 request: judged by the case"
    else:
        report = cs.validator.check(reply.body)
        if not relates_to_expected:
            waived = [v for v in report.violations
                      if v.check is Check.HEADERS and v.where == _RELATES_TO]
            # a fault without RelatesTo is a warning (a violation when strict): waive both
            warned = [w for w in report.warnings if w.where == _RELATES_TO]
            report.warnings = [w for w in report.warnings if w not in warned]
            if waived or warned:
                report.violations = [v for v in report.violations if v not in waived]
                note = ("no wsa:RelatesTo expected: the request had no MessageID the charge "
                        "point could read")
    answer = cs.recorder.record(Direction.IN, reply.body, url, report, http_status=reply.status,
                                note=note, content_type=reply.content_type or None)
    request_headers = None
    try:
        request_headers = Headers(**_header_values_of(parse(data)))  # type: ignore[arg-type]
    except XmlRejected:
        pass
    return Exchange(sent, answer, request_headers, reply.status, reply.content_type or "",
                    reply.body, report, root, what)


def request_headers(cs: Any, charge_point: Any, action: str) -> Headers:
    """The full OCPP-S header set a Central System puts on a request to this charge point."""
    return Headers.request(action, charge_box_identity=charge_point.identity,
                           to=station_url(cs, charge_point), from_address=cs.url)


def request_envelope(cs: Any, charge_point: Any, body: Message | etree._Element,
                     **header_changes: Any) -> etree._Element:
    """A SOAP 1.2 request envelope for ``body``; ``header_changes`` (Headers fields) alter
    the header set, None leaving a header out (an element body needs ``action=``)."""
    payload = body.to_element() if isinstance(body, Message) else body
    headers = request_headers(cs, charge_point, getattr(body, "action", ""))
    return envelope_element(headers.with_(**header_changes), payload)


async def exchange(cs: Any, charge_point: Any, op: Op, **fields: Any) -> Exchange:
    """Send a well-formed ChargePointService request (OCPP-J style ``fields``) and return
    the exchange, unjudged."""
    message = cs.request(op, **fields)
    root = request_envelope(cs, charge_point, message)
    return await deliver(cs, serialize(root), url=station_url(cs, charge_point),
                         what=f"{op.value}", action=message.action)


def response_of(ex: Exchange, version: OcppVersion, op: Op, what: str | None = None) -> Any:
    """The typed response of ``op`` in the exchange, or the case fails saying what came;
    ``what`` names the request in the reason (default: as the exchange names it)."""
    expected = message_class(version, CP, op, Kind.RESPONSE)
    payload = ex.payload
    what = what or ex.what
    if payload is None or payload.tag != expected.qname():
        raise CaseFailed(f"{what} was answered {ex.describe()}, not "
                         f"{{{expected.NAMESPACE}}}{expected.ELEMENT}", evidence=ex.evidence)
    try:
        return expected.from_element(payload)
    except MessageDecodeError as exc:
        raise CaseFailed(f"{what}: unreadable {expected.ELEMENT}: {exc}",
                         evidence=ex.evidence) from None


async def command(cs: Any, charge_point: Any, op: Op, **fields: Any) -> tuple[Any, Exchange]:
    """A command that must be answered with its response; returns (response, exchange)."""
    ex = await exchange(cs, charge_point, op, **fields)
    return response_of(ex, cs.version, op), ex


def harmless_commands(version: OcppVersion) -> list[tuple[Op, dict[str, Any]]]:
    """Commands every charge point of ``version`` answers without changing much."""
    commands: list[tuple[Op, dict[str, Any]]] = [
        (Op.CLEAR_CACHE, {}),
        (Op.CHANGE_CONFIGURATION, {"key": heartbeat_key(version), "value": "600"}),
    ]
    if version is not OcppVersion.V12:
        commands += [(Op.GET_CONFIGURATION, {"key": [heartbeat_key(version)]}),
                     (Op.DATA_TRANSFER, {"vendorId": "org.ocppcert.probe"})]
    return commands


async def answers_to_harmless_commands(cs: Any, charge_point: Any) -> list[tuple[Op, Exchange]]:
    return [(op, await exchange(cs, charge_point, op, **fields))
            for op, fields in harmless_commands(cs.version)]


# -- judging faults -------------------------------------------------------------------------
def expected_http_status(code: FaultCode) -> int:
    # SOAP 1.2 Part 2 §7.5.2.2: a Sender fault travels with 400, every other fault with 500.
    return 400 if code is FaultCode.SENDER else 500


def require_fault(ex: Exchange, what: str, *, code: FaultCode,
                  subcodes: tuple[FaultSubcode | str, ...] = ()) -> SoapFault:
    """The SOAP 1.2 fault the charge point must have answered ``what`` with: the given
    code, one of ``subcodes`` (if any; compared by local name), and the HTTP status SOAP
    1.2 pairs with the code."""
    fault = ex.fault
    if fault is None:
        raise CaseFailed(f"{what} was answered {ex.describe()}, not a SOAP fault",
                         evidence=ex.evidence)
    sub = getattr(fault.subcode, "value", fault.subcode)
    if fault.code is not code:
        raise CaseFailed(f"{what} was answered with a {fault.code.value} fault "
                         f"(subcode {sub or 'none'}), not {code.value}", evidence=ex.evidence)
    if subcodes and sub not in {getattr(s, "value", s) for s in subcodes}:
        wanted = " or ".join(getattr(s, "value", s) for s in subcodes)
        raise CaseFailed(f"{what} was answered with a fault whose subcode is {sub or 'missing'}, "
                         f"not {wanted}", evidence=ex.evidence)
    if ex.status != expected_http_status(fault.code):
        raise CaseFailed(f"the {fault.code.value} fault answering {what} came with HTTP "
                         f"{ex.status}; SOAP 1.2 over HTTP gives it "
                         f"{expected_http_status(fault.code)}", evidence=ex.evidence)
    return fault


# -- the charge point's own requests -------------------------------------------------------
def requests_from_sut(cs: Any, after: int) -> list[WireRecord]:
    """Every request the charge point sent to the harness after record ``after``."""
    return [r for r in cs.recorder.records
            if r.seq > after and r.direction is Direction.IN and r.kind == "request"
            and r.service == Service.CENTRAL_SYSTEM.value]


async def await_request(cs: Any, op: Op, *, after: int, timeout: float = REQUEST_TIMEOUT,
                        what: str | None = None) -> WireRecord:
    """The first request ``op`` the charge point sent after record ``after``, whether or not
    the harness could process it."""
    def wanted(r: WireRecord) -> bool:
        return (r.direction is Direction.IN and r.kind == "request"
                and r.operation == op.value and r.service == Service.CENTRAL_SYSTEM.value)

    try:
        return await cs.wait_for(wanted, timeout=timeout, after=after)
    except TimeoutError:
        raise CaseFailed(f"the charge point did not send {what or op.value} within "
                         f"{timeout:g} s") from None


async def provoke_requests(cs: Any, charge_point: Any) -> list[WireRecord]:
    """Make the charge point send each kind of request it sends in daily life, through the
    protocol where possible: Heartbeat (HeartbeatInterval=1), StatusNotification
    (ChangeAvailability of connector 1), Authorize (an idTag presented), BootNotification
    (a soft Reset) and the statuses after it. Returns every request it sent meanwhile."""
    version = cs.version
    mark = cs.recorder.last_seq
    key = heartbeat_key(version)
    reply, ex = await command(cs, charge_point, Op.CHANGE_CONFIGURATION, key=key, value="1")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}=1 was answered {reply.status.value}",
                         evidence=ex.evidence)
    await await_request(cs, Op.HEARTBEAT, after=mark, what="Heartbeat with HeartbeatInterval 1")
    before = cs.recorder.last_seq
    await command(cs, charge_point, Op.CHANGE_AVAILABILITY, connectorId=1, type="Inoperative")
    await await_request(cs, Op.STATUS_NOTIFICATION, after=before,
                        what="StatusNotification for connector 1 made Inoperative")
    await command(cs, charge_point, Op.CHANGE_AVAILABILITY, connectorId=1, type="Operative")
    before = cs.recorder.last_seq
    await charge_point.present_id_tag("SOAPCERT01")
    await await_request(cs, Op.AUTHORIZE, after=before, what="Authorize for a presented idTag")
    await command(cs, charge_point, Op.RESET, type="Soft")
    boot = await await_request(cs, Op.BOOT_NOTIFICATION, after=before,
                               what="BootNotification after a soft Reset", timeout=30)
    await await_request(cs, Op.STATUS_NOTIFICATION, after=boot.seq,
                        what="StatusNotification after the boot")
    return requests_from_sut(cs, mark)


def label(record: WireRecord) -> str:
    return f"#{record.seq} {record.operation or 'request'}"


# -- a request that must not have been carried out ------------------------------------------
async def refused_and_still_serving(cs: Any, charge_point: Any, what: str) -> None:
    """After a malformed ChangeConfiguration HeartbeatInterval=1 that the charge point had
    to refuse: no Heartbeat follows (it was not carried out), and the charge point still
    serves, answering a well-formed ChangeConfiguration HeartbeatInterval=1 and then
    sending Heartbeats (which also shows the quiet period above was not blind)."""
    await cs.expect_none(Op.HEARTBEAT, during=QUIET,
                         why=f"within {QUIET:g} s of {what}: the charge point carried out a "
                             "HeartbeatInterval=1 it had to refuse")
    key = heartbeat_key(cs.version)
    reply, ex = await command(cs, charge_point, Op.CHANGE_CONFIGURATION, key=key, value="1")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"after {what}, a well-formed ChangeConfiguration {key}=1 was answered "
                         f"{reply.status.value}", evidence=ex.evidence)
    await cs.expect(Op.HEARTBEAT, timeout=10,
                    what=f"Heartbeat after {key}=1 was set (following {what})")


def malformed_heartbeat_change(cs: Any, charge_point: Any) -> Message:
    """ChangeConfiguration HeartbeatInterval=1: carried out, it shows at once on the wire."""
    return cs.request(Op.CHANGE_CONFIGURATION, key=heartbeat_key(cs.version), value="1")


def namespace_of(version: OcppVersion, service: Service = CP) -> str:
    return spec_for(version, service).namespace


__all__ = [
    "CP",
    "QUIET",
    "SOAP11_CONTENT_TYPE",
    "SOAP12_MEDIA_TYPE",
    "Exchange",
    "answers_to_harmless_commands",
    "await_request",
    "command",
    "deliver",
    "exchange",
    "harmless_commands",
    "header_values",
    "heartbeat_key",
    "label",
    "malformed_heartbeat_change",
    "namespace_of",
    "provoke_requests",
    "refused_and_still_serving",
    "request_envelope",
    "request_headers",
    "require_fault",
    "requests_from_sut",
    "response_of",
    "same_endpoint",
    "station_url",
]
