"""The Endpoint: one SOAP service, served and called, shared by harness and reference.

A subclass serves one OCPP service (``SERVICE``) and routes each operation to a method
marked ``@handles(Op.X)``. Inbound, every message goes through the one validator pass:

    bytes → hardened parse → envelope → headers → schema → typed request → handler
          → typed response → envelope → bytes

and anything that cannot be processed gets a SOAP 1.2 fault with OCPP's subcodes
(OCPP 1.5 §8.2, OCPP-S 1.6 §4). Outbound, :meth:`Endpoint.call` sends a typed request
with full headers and returns the typed response, or raises. Both directions are
recorded with their validation verdicts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Kind, Message, MessageDecodeError, Op, message_class
from ocppcert.schema.sources import schemas_root
from ocppcert.schema.validator import Check, MessageReport, Validator, default_validator
from ocppcert.soap.envelope import HEADER, envelope_element, serialize
from ocppcert.soap.faults import FaultCode, FaultSubcode, SoapFault, build_fault
from ocppcert.soap.headers import Headers, new_message_id
from ocppcert.transport.http import (
    HttpReply,
    HttpRequestInfo,
    SoapClient,
    SoapServer,
    TransportError,
)
from ocppcert.transport.recorder import Direction, WireRecord, WireRecorder
from ocppcert.versions import OcppVersion, Service, spec_for
from ocppcert.xml import DEFAULT_MAX_BYTES

log = logging.getLogger(__name__)

F = TypeVar("F", bound=Callable[..., Any])
_ROUTE_MARK = "__ocpp_handles__"


def handles(*ops: Op) -> Callable[[F], F]:
    """Route these operations to the decorated ``async def handler(self, request, ctx)``."""

    def mark(function: F) -> F:
        setattr(function, _ROUTE_MARK, ops)
        return function

    return mark


@dataclass(frozen=True, slots=True)
class CallContext:
    """What a handler knows about the request it is answering."""

    version: OcppVersion
    service: Service
    op: Op
    headers: Headers
    http: HttpRequestInfo
    report: MessageReport
    record: WireRecord | None

    @property
    def charge_box_identity(self) -> str | None:
        return self.headers.charge_box_identity

    @property
    def from_address(self) -> str | None:
        """Where the sender listens (OCPP-S §3), if it said so with a usable address."""
        address = self.headers.from_address
        if not address or address in (ns.WSA_ANONYMOUS, ns.WSA_NONE):
            return None
        return address

    def response_class(self) -> type[Message]:
        return message_class(self.version, self.service, self.op, Kind.RESPONSE)

    def respond(self, **fields: Any) -> Message:
        """The response of this operation in the request's version."""
        return self.response_class()(**fields)


class RemoteFault(Exception):
    """The peer answered a call with a SOAP fault."""

    def __init__(self, fault: SoapFault, record: WireRecord | None = None) -> None:
        super().__init__(f"{fault.code.value}/{getattr(fault.subcode, 'value', fault.subcode)}: "
                         f"{fault.reason}")
        self.fault = fault
        self.record = record


class ProtocolViolation(Exception):
    """The peer's reply is not the valid response the call expected."""

    def __init__(self, reason: str, record: WireRecord | None = None,
                 report: MessageReport | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.record = record
        self.report = report


# SOAP 1.2 Part 2 §7.5.2.2: a Sender fault travels with 400, every other fault with 500.
def _http_status(fault: SoapFault) -> int:
    return 400 if fault.code is FaultCode.SENDER else 500


_SOAP11_ENVELOPE = f"{{{ns.SOAP11}}}Envelope"
_SOAP12_WSDL = "http://schemas.xmlsoap.org/wsdl/soap12/"


class Endpoint:
    """Serves ``SERVICE`` for the given OCPP versions and calls the opposite service.

    ``identity``: if set, requests must name it in chargeBoxIdentity, or they get an
    IdentityMismatch fault (a charge point; the Central System serves every identity).
    ``strict_headers``: fault on every header error the validator finds (missing From,
    To, a non-anonymous ReplyTo, ...); otherwise only on those without which a request
    cannot be processed (Action, MessageID, chargeBoxIdentity). All are recorded.
    """

    SERVICE: ClassVar[Service]
    _routes: ClassVar[dict[Op, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        routes: dict[Op, str] = {}
        for klass in reversed(cls.__mro__):
            for name, attribute in vars(klass).items():
                for op in getattr(attribute, _ROUTE_MARK, ()):
                    routes[op] = name
        cls._routes = routes

    def __init__(
        self,
        *,
        versions: Iterable[OcppVersion | str] | None = None,
        identity: str | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/",
        advertise: str | None = None,
        validator: Validator | None = None,
        recorder: WireRecorder | None = None,
        client: SoapClient | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        call_timeout: float = 30.0,
        strict_headers: bool = False,
    ) -> None:
        self.versions = tuple(OcppVersion(v) for v in (versions or OcppVersion))
        self.identity = identity
        self.validator = validator or default_validator()
        self.recorder = recorder if recorder is not None else WireRecorder()
        self.client = client or SoapClient(max_bytes=max_bytes)
        self.call_timeout = call_timeout
        self.strict_headers = strict_headers
        self.advertise = advertise
        self.server = SoapServer(self.handle_http, host=host, port=port, max_bytes=max_bytes,
                                 path=path, extra_routes=self.extra_routes, wsdl=self.wsdl)

    # -- lifecycle ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The URL peers reach this endpoint by (advertised, or the one bound)."""
        return self.advertise or self.server.url

    def wsdl(self, version: str | None) -> bytes | None:
        """``GET <url>?wsdl[&ocpp=1.5]``: our WSDL of this service (newest version served by
        default) with its soap12:address pointing here, so a SOAP stack can bind to it."""
        try:
            chosen = OcppVersion(version) if version else self.versions[-1]
        except ValueError:
            return None
        if chosen not in self.versions:
            return None
        spec = spec_for(chosen, self.SERVICE)
        parser = etree.XMLParser(resolve_entities=False, no_network=True)
        document = etree.parse(str(schemas_root() / spec.wsdl_file), parser)
        for address in document.iter(f"{{{_SOAP12_WSDL}}}address"):
            address.set("location", self.url)
        # Served alone, the WSDL must not point at a relative .xsd: inline the schema.
        schema = etree.parse(str(schemas_root() / spec.schema_file), parser).getroot()
        for types in document.iter(f"{{{ns.WSDL}}}types"):
            for child in list(types):
                types.remove(child)
            types.append(schema)
        return etree.tostring(document, xml_declaration=True, encoding="UTF-8")

    def extra_routes(self, app: Any) -> None:
        """Hook for subclasses to add HTTP routes (e.g. a WSDL) before the SOAP catch-all."""

    async def start(self) -> str:
        await self.server.start()
        return self.url

    async def stop(self) -> None:
        await self.server.stop()
        await self.client.close()

    async def __aenter__(self) -> Endpoint:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def handled_operations(self, version: OcppVersion) -> tuple[Op, ...]:
        from ocppcert.messages import operations

        return tuple(op for op in operations(version, self.SERVICE) if op in self._routes)

    # -- serving --------------------------------------------------------------------------
    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        """The transport's SOAP handler: one message in, the reply out. Never raises."""
        report = self.validator.check(body)
        record = self.recorder.record(Direction.IN, body, info.remote, report,
                                      content_type=info.content_type or None)
        request_headers = report.headers
        try:
            message, ctx = self._admit(report, info, record)
            handler = getattr(self, self._routes[ctx.op])
            response = await handler(message, ctx)
            if not isinstance(response, ctx.response_class()):
                raise TypeError(
                    f"handler for {ctx.op.value} returned {type(response).__name__}, expected "
                    f"{ctx.response_class().__name__}"
                )
            assert request_headers is not None
            headers = request_headers.reply(response.action)
            data = serialize(envelope_element(headers, response.to_element()))
            status = 200
        except SoapFault as fault:
            data, status = self._fault_bytes(fault, report), _http_status(fault)
        except Exception as exc:  # a handler bug must not take the server down
            log.exception("handler failed")
            fault = SoapFault(FaultSubcode.INTERNAL_ERROR,
                              f"internal error: {exc.__class__.__name__}")
            data, status = self._fault_bytes(fault, report), 500
        reply = HttpReply(status, data)
        self.recorder.record(Direction.OUT, data, info.remote, self.validator.check(data),
                             http_status=status, content_type=reply.content_type)
        return reply

    def _admit(
        self, report: MessageReport, info: HttpRequestInfo, record: WireRecord
    ) -> tuple[Message, CallContext]:
        """Decide whether the request can be processed; raise the fault that says why not."""
        errors = report.violations
        xml = [v for v in errors if v.check is Check.XML]
        if xml:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, f"unreadable message: {xml[0].reason}")
        root = report.root
        if root is not None and root.tag == _SOAP11_ENVELOPE:
            raise _VersionMismatch()
        envelope = [v for v in errors if v.check is Check.ENVELOPE]
        if envelope:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR,
                            f"{envelope[0].where}: {envelope[0].reason}")
        not_understood = _not_understood(root)
        if not_understood:
            raise _MustUnderstand(not_understood)
        if report.kind != Kind.REQUEST.value or report.operation is None:
            what = report.kind or "unknown body"
            body = [v for v in errors if v.check is Check.BODY]
            reason = body[0].reason if body else f"a {what} is not a request"
            raise SoapFault(FaultSubcode.NOT_SUPPORTED, reason)
        version, service, op = report.ocpp_version, report.service, Op(report.operation)
        assert version is not None and service is not None
        if service is not self.SERVICE:
            raise SoapFault(FaultSubcode.NOT_SUPPORTED,
                            f"{op.value} is a {service.value} operation; "
                            f"this is {self.SERVICE.value}")
        if version not in self.versions:
            served = ", ".join(v.value for v in self.versions)
            raise SoapFault(FaultSubcode.NOT_SUPPORTED,
                            f"OCPP {version.value} is not served here (serving {served})")
        if op not in self._routes:
            raise SoapFault(FaultSubcode.NOT_SUPPORTED, f"{op.value} is not supported")
        headers = report.headers or Headers()
        header_errors = [v for v in errors if v.check is Check.HEADERS]
        essential = [v for v in header_errors if v.where.rpartition("/")[2]
                     in ("Header", "Action", "MessageID", "chargeBoxIdentity")]
        if essential or (self.strict_headers and header_errors):
            first = (essential or header_errors)[0]
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, f"{first.where}: {first.reason}")
        if self.identity is not None and headers.charge_box_identity != self.identity:
            raise SoapFault(
                FaultSubcode.IDENTITY_MISMATCH,
                f"this is charge point {self.identity!r}, not {headers.charge_box_identity!r}",
            )
        body_errors = [v for v in errors if v.check is Check.BODY]
        if body_errors:
            first = body_errors[0]
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, f"{first.where}: {first.reason}")
        payload = payload_of(report)
        try:
            message = message_class(version, service, op, Kind.REQUEST).from_element(payload)
        except MessageDecodeError as exc:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, str(exc)) from None
        return message, CallContext(version, service, op, headers, info, report, record)

    def _fault_bytes(self, fault: SoapFault, report: MessageReport) -> bytes:
        request_headers = report.headers
        if isinstance(fault, _VersionMismatch):
            return _version_mismatch_bytes(fault)
        if isinstance(fault, _MustUnderstand):
            return _must_understand_bytes(fault, request_headers)
        payload = payload_of(report)
        namespace = None
        if payload is not None and report.ocpp_version is not None:
            namespace = etree.QName(payload).namespace
        if namespace is None:
            newest = self.versions[-1] if self.versions else OcppVersion.V16
            namespace = spec_for(newest, self.SERVICE).namespace
        return build_fault(fault, request_headers=request_headers, subcode_namespace=namespace)

    # -- calling --------------------------------------------------------------------------
    async def call(
        self,
        url: str,
        request: Message,
        *,
        charge_box_identity: str,
        timeout: float | None = None,
        headers: Headers | None = None,
    ) -> Message:
        """Send ``request`` to ``url`` and return its typed response.

        Raises TransportError (no reply), RemoteFault (a SOAP fault), ProtocolViolation
        (a reply that is not the valid response to this request).
        """
        if headers is None:
            headers = Headers.request(request.action, charge_box_identity=charge_box_identity,
                                      to=url, from_address=self.url)
        data = serialize(envelope_element(headers, request.to_element()))
        reply, report, record = await self.send_raw(url, data, action=headers.action,
                                                    timeout=timeout)
        if report.kind == "fault":
            assert report.root is not None
            raise RemoteFault(SoapFault.from_element(payload_of(report)), record)
        expected = message_class(request.VERSION, request.SERVICE, request.OP, Kind.RESPONSE)
        payload = payload_of(report)
        if payload is None or payload.tag != expected.qname():
            got = payload.tag if payload is not None else "no body"
            raise ProtocolViolation(
                f"HTTP {reply.status}: expected {expected.ELEMENT}, got {got}", record, report
            )
        if not report.valid:
            first = report.violations[0]
            raise ProtocolViolation(f"invalid {expected.ELEMENT}: {first}", record, report)
        relates_to = (report.headers or Headers()).relates_to
        if relates_to != headers.message_id:
            raise ProtocolViolation(
                f"wsa:RelatesTo {relates_to!r} does not name the request {headers.message_id!r}",
                record, report,
            )
        try:
            return expected.from_element(payload)
        except MessageDecodeError as exc:
            raise ProtocolViolation(str(exc), record, report) from None

    async def send_raw(
        self, url: str, data: bytes, *, action: str | None = None, timeout: float | None = None,
        malformed: bool = False,
    ) -> tuple[HttpReply, MessageReport, WireRecord]:
        """Send raw bytes (a harness may send anything) and record both directions.
        ``malformed``: the bytes are wrong on purpose; they are recorded unjudged."""
        self.recorder.record(Direction.OUT, data, url,
                             None if malformed else self.validator.check(data),
                             note="deliberately malformed" if malformed else None)
        try:
            reply = await self.client.post(url, data, action=action,
                                           timeout=timeout or self.call_timeout)
        except TransportError as exc:
            self.recorder.record(Direction.IN, b"", url, None, note=f"transport error: {exc}")
            raise
        report = self.validator.check(reply.body)
        note = None
        if malformed and report.kind == "fault" and not self._readable_message_id(data):
            # WS-Addressing 1.0 §3.4: a fault to a message whose MessageID could not be
            # read has nothing to relate to; its missing RelatesTo is no finding.
            relates_to = "/Envelope/Header/RelatesTo"
            report.violations = [v for v in report.violations if v.where != relates_to]
            report.warnings = [v for v in report.warnings if v.where != relates_to]
            note = "no wsa:RelatesTo expected: the request had no readable MessageID"
        record = self.recorder.record(Direction.IN, reply.body, url, report,
                                      http_status=reply.status, note=note,
                                      content_type=reply.content_type or None)
        return reply, report, record

    def _readable_message_id(self, data: bytes) -> str | None:
        """The wsa:MessageID of the bytes sent, if a receiver could read one."""
        sent = self.validator.check(data, explain=False)
        return sent.headers.message_id if sent.headers is not None else None

    async def wait_for(
        self, predicate: Callable[[WireRecord], bool], *, timeout: float, after: int = 0
    ) -> WireRecord:
        return await self.recorder.wait_for(predicate, timeout=timeout, after=after)


def payload_of(report: MessageReport) -> etree._Element | None:
    """The element inside the message's Body, if it has one."""
    root = report.root
    if root is None:
        return None
    body = root.find(f"{{{ns.SOAP12}}}Body")
    if body is None:
        return None
    for child in body:
        if isinstance(child.tag, str):
            return child
    return None


class _VersionMismatch(SoapFault):
    def __init__(self) -> None:
        super().__init__(None, "SOAP 1.1 envelope: this node speaks SOAP 1.2 only",
                         code=FaultCode.VERSION_MISMATCH)


def _version_mismatch_bytes(fault: SoapFault) -> bytes:
    """SOAP 1.2 Part 1 §5.4.7 / Appendix A: a VersionMismatch fault carries an Upgrade
    header block naming the envelope versions this node supports."""
    headers = Headers(action=ns.WSA_FAULT_ACTION, message_id=new_message_id())
    root = envelope_element(headers, fault.to_element(), ocpp_namespace="")
    header = root.find(HEADER)
    assert header is not None
    upgrade = etree.SubElement(header, f"{{{ns.SOAP12}}}Upgrade")
    etree.SubElement(upgrade, f"{{{ns.SOAP12}}}SupportedEnvelope", qname="s:Envelope")
    return serialize(root)


# SOAP 1.2 Part 1 §5.2.3: the header blocks this node understands, and the roles it plays.
_UNDERSTOOD_WSA = frozenset(f"{{{ns.WSA}}}{name}" for name in (
    "Action", "MessageID", "RelatesTo", "From", "ReplyTo", "To", "FaultTo"))
_ROLES_PLAYED = frozenset({None, f"{ns.SOAP12}/role/next", f"{ns.SOAP12}/role/ultimateReceiver"})
_MUST_UNDERSTAND = f"{{{ns.SOAP12}}}mustUnderstand"
_ROLE = f"{{{ns.SOAP12}}}role"


def _not_understood(root: etree._Element | None) -> list[etree.QName]:
    """The mandatory header blocks aimed at this node that it does not understand: OCPP's
    chargeBoxIdentity (any letter case, OCPP-S §3) and WS-Addressing's are understood."""
    header = root.find(HEADER) if root is not None else None
    if header is None:
        return []
    found = []
    for block in header:
        if not isinstance(block.tag, str) or block.tag in _UNDERSTOOD_WSA:
            continue
        if (block.get(_MUST_UNDERSTAND) or "").strip() not in ("true", "1"):
            continue
        if block.get(_ROLE) not in _ROLES_PLAYED:
            continue
        qname = etree.QName(block)
        if qname.namespace != ns.WSA and qname.localname.lower() == "chargeboxidentity":
            continue
        found.append(qname)
    return found


class _MustUnderstand(SoapFault):
    def __init__(self, blocks: list[etree.QName]) -> None:
        names = ", ".join(f"{{{b.namespace}}}{b.localname}" if b.namespace else b.localname
                          for b in blocks)
        super().__init__(None, f"mandatory header block(s) not understood: {names}",
                         code=FaultCode.MUST_UNDERSTAND)
        self.blocks = blocks


def _must_understand_bytes(fault: _MustUnderstand, request_headers: Headers | None) -> bytes:
    """SOAP 1.2 Part 1 §5.4.8: a MustUnderstand fault names each block not understood in
    a NotUnderstood header block."""
    headers = Headers(action=ns.WSA_FAULT_ACTION, message_id=new_message_id(),
                      relates_to=request_headers.message_id if request_headers else None)
    root = envelope_element(headers, fault.to_element(), ocpp_namespace="")
    header = root.find(HEADER)
    assert header is not None
    for block in fault.blocks:
        nsmap = {"nu": block.namespace} if block.namespace else None
        entry = etree.SubElement(header, f"{{{ns.SOAP12}}}NotUnderstood", nsmap=nsmap)
        entry.set("qname", f"nu:{block.localname}" if block.namespace else block.localname)
    return serialize(root)


__all__ = [
    "CallContext",
    "Endpoint",
    "ProtocolViolation",
    "RemoteFault",
    "handles",
]
