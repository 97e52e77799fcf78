"""Mutants of the reference charge point: SOAP transport (headers, media type, faults).

Each seeds one defect seen in real SOAP stacks. Defects of the station's own requests are
made in ``call`` (the headers it sends) or in its HTTP client; defects of its answers in
``handle_http`` (what goes back on the wire) or ``_admit`` (what it agrees to process).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Kind, Message, Op, message_class
from ocppcert.reference.charge_point.station import ReferenceChargePoint
from ocppcert.schema.validator import Check, MessageReport
from ocppcert.soap import FaultSubcode, Headers, SoapFault
from ocppcert.soap.envelope import serialize
from ocppcert.transport import HttpReply, HttpRequestInfo, SoapClient
from ocppcert.versions import OcppVersion, Service, spec_for
from ocppcert.xml import XmlRejected, parse
from tests.mutants.charge_point import own_ids

_WSA = f"{{{ns.WSA}}}"


def _headers(station: ReferenceChargePoint, url: str, request: Message,
             identity: str) -> Headers:
    """The headers the reference would put on this request."""
    return Headers.request(request.action, charge_box_identity=identity, to=url,
                           from_address=station.url)


class _RequestHeaderMutant(ReferenceChargePoint):
    """Base: the station's requests go out with ``_mutate``d headers."""

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        return headers

    async def call(self, url: str, request: Message, *, charge_box_identity: str,
                   timeout: float | None = None, headers: Headers | None = None) -> Message:
        if headers is None:
            headers = self._mutate(_headers(self, url, request, charge_box_identity), request)
        return await super().call(url, request, charge_box_identity=charge_box_identity,
                                  timeout=timeout, headers=headers)


def _edit_reply(reply: HttpReply, edit: Callable[[etree._Element], None]) -> HttpReply:
    """The reply with its envelope edited (left alone if it is not XML)."""
    try:
        root = parse(reply.body)
    except XmlRejected:
        return reply
    edit(root)
    return HttpReply(reply.status, serialize(root), reply.content_type)


def _header_block(root: etree._Element, local: str) -> etree._Element | None:
    return root.find(f"{{{ns.SOAP12}}}Header/{_WSA}{local}")


# -- the station's own requests ------------------------------------------------------------
class NoIdentityOnHeartbeat(_RequestHeaderMutant):
    """Sends Heartbeat without the chargeBoxIdentity header."""

    KILLS = own_ids("SOAP_002_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        if request.OP is Op.HEARTBEAT:
            return headers.with_(charge_box_identity=None)
        return headers


class SerialNumberAsIdentityOnStatus(_RequestHeaderMutant):
    """Names itself by its serial number instead of its identity in StatusNotification."""

    KILLS = own_ids("SOAP_002_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        if request.OP is Op.STATUS_NOTIFICATION:
            return headers.with_(charge_box_identity=self.traits.serial_number or "SN-0")
        return headers


class BodyNameAsStatusAction(_RequestHeaderMutant):
    """Sends StatusNotification with its body element's name as wsa:Action
    (/statusNotificationRequest) instead of /StatusNotification."""

    KILLS = own_ids("SOAP_003_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        if request.OP is Op.STATUS_NOTIFICATION:
            return headers.with_(action="/" + request.ELEMENT)
        return headers


class ReusesMessageId(_RequestHeaderMutant):
    """Puts one fixed wsa:MessageID on every request it sends."""

    KILLS = own_ids("SOAP_004_CS")

    _FIXED = f"urn:uuid:{uuid.UUID(int=0x0CC9)}"

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        return headers.with_(message_id=self._FIXED)


class FromOnlyOnBoot(_RequestHeaderMutant):
    """Sends wsa:From on BootNotification only, not on its other requests."""

    KILLS = own_ids("SOAP_005_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        if request.OP is Op.BOOT_NOTIFICATION:
            return headers
        return headers.with_(from_address=None)


class AdvertisesStalePort(_RequestHeaderMutant):
    """Advertises a port it no longer listens on in wsa:From (a stale configured address)."""

    KILLS = own_ids("SOAP_005_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        port = self.server.port
        stale = (headers.from_address or "").replace(f":{port}/", f":{port ^ 1}/")
        return headers.with_(from_address=stale)


class OmitsTo(_RequestHeaderMutant):
    """Leaves wsa:To out of its requests."""

    KILLS = own_ids("SOAP_006_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        return headers.with_(to=None)


class ReplyToOwnAddress(_RequestHeaderMutant):
    """Puts its own URL in wsa:ReplyTo instead of the anonymous address."""

    KILLS = own_ids("SOAP_007_CS")

    def _mutate(self, headers: Headers, request: Message) -> Headers:
        return headers.with_(reply_to=self.url)


class _TextXmlClient(SoapClient):
    async def post(self, url: str, data: bytes, *, action: str | None = None,
                   timeout: float = 30.0, content_type: str | None = None,
                   headers: dict[str, str] | None = None) -> HttpReply:
        return await super().post(url, data, action=action, timeout=timeout,
                                  content_type="text/xml; charset=utf-8", headers=headers)


class PostsTextXml(ReferenceChargePoint):
    """Posts its requests as text/xml (SOAP 1.1's media type) instead of application/soap+xml."""

    KILLS = own_ids("SOAP_011_CS")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.client = _TextXmlClient(max_bytes=self.client.max_bytes)


# -- the station's answers -----------------------------------------------------------------
class _ReplyMutant(ReferenceChargePoint):
    """Base: what goes back on the wire passes through ``_mutate_reply``; ``report`` is the
    validator's report on the request it answers."""

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        return reply

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        reply = await super().handle_http(body, info)
        return self._mutate_reply(reply, self.validator.check(body, explain=False))


def _is_response(reply: HttpReply) -> bool:
    return reply.status == 200 and b"Response" in reply.body


class ResponseActionWithoutSuffix(_ReplyMutant):
    """Answers with the request's wsa:Action (/ClearCache) instead of /ClearCacheResponse."""

    KILLS = own_ids("SOAP_008_CS")

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        def edit(root: etree._Element) -> None:
            action = _header_block(root, "Action")
            if action is not None and action.text:
                action.text = action.text.removesuffix("Response")

        return _edit_reply(reply, edit) if _is_response(reply) else reply


class RelatesToPreviousRequest(_ReplyMutant):
    """Relates each answer to the request it answered before (stale correlation state)."""

    KILLS = own_ids("SOAP_009_CS")

    _previous: str | None = None

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        current = (report.header_values or {}).get("message_id")
        previous, self._previous = self._previous, current

        def edit(root: etree._Element) -> None:
            relates_to = _header_block(root, "RelatesTo")
            if relates_to is not None:
                relates_to.text = previous or "urn:uuid:00000000-0000-0000-0000-000000000000"

        return _edit_reply(reply, edit) if _is_response(reply) else reply


class EchoesRequestMessageId(_ReplyMutant):
    """Gives its answer the request's MessageID instead of a fresh one."""

    KILLS = own_ids("SOAP_010_CS")

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        request_id = (report.header_values or {}).get("message_id")

        def edit(root: etree._Element) -> None:
            message_id = _header_block(root, "MessageID")
            if message_id is not None and request_id:
                message_id.text = request_id

        return _edit_reply(reply, edit) if _is_response(reply) else reply


class AnswersTextXml(_ReplyMutant):
    """Answers with Content-Type text/xml (SOAP 1.1's) instead of application/soap+xml."""

    KILLS = own_ids("SOAP_012_CS")

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        return HttpReply(reply.status, reply.body, "text/xml; charset=utf-8")


class AnswersAsynchronously(_ReplyMutant):
    """Acknowledges each request with an empty HTTP 202 and posts its response to the
    Central System afterwards (asynchronous WS-Addressing, which OCPP does not allow)."""

    KILLS = own_ids("SOAP_014_CS")

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        if not _is_response(reply):
            return reply
        self._spawn(self._post_later(reply.body), name="async-reply")
        return HttpReply(202, b"", "text/plain")

    async def _post_later(self, body: bytes) -> None:
        await self.client.post(self.central_system_url, body, timeout=5)


_OTHER_VERSION = {OcppVersion.V16: OcppVersion.V15, OcppVersion.V15: OcppVersion.V16,
                  OcppVersion.V12: OcppVersion.V15}


class AnswersInOtherVersionNamespace(_ReplyMutant):
    """Answers in the namespace of another OCPP version than the request's (a multi-version
    stack that always answers in its default one)."""

    KILLS = own_ids("SOAP_021_CS")

    def _mutate_reply(self, reply: HttpReply, report: MessageReport) -> HttpReply:
        own = spec_for(self.version, Service.CHARGE_POINT).namespace
        other = spec_for(_OTHER_VERSION[self.version], Service.CHARGE_POINT).namespace

        def edit(root: etree._Element) -> None:
            for element in root.iter():
                if isinstance(element.tag, str) and etree.QName(element).namespace == own:
                    element.tag = f"{{{other}}}{etree.QName(element).localname}"
            etree.cleanup_namespaces(root)

        return _edit_reply(reply, edit) if _is_response(reply) else reply


# -- what the station agrees to process ----------------------------------------------------
def _payload_of(root: etree._Element | None) -> etree._Element | None:
    body = root.find(f"{{{ns.SOAP12}}}Body") if root is not None else None
    return next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None


class CrashesOnUnknownOperation(ReferenceChargePoint):
    """Answers a request it has no handler for with a bare HTTP 500 and a stack trace, no
    SOAP fault."""

    KILLS = own_ids("SOAP_013_CS")

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        report = self.validator.check(body, explain=False)
        readable = report.root is not None and not any(
            v.check in (Check.XML, Check.ENVELOPE) for v in report.violations)
        handled = (report.kind == "request" and report.service is Service.CHARGE_POINT
                   and report.operation is not None and Op(report.operation) in self._routes)
        if readable and not handled:
            return HttpReply(500, b"java.lang.NullPointerException\n\tat Dispatcher.route",
                             "text/plain")
        return await super().handle_http(body, info)


class DemandsFrom(ReferenceChargePoint):
    """Refuses a request without wsa:From or wsa:ReplyTo with a ProtocolError fault, as a
    strict WS-Addressing stack does (and so ignores every Apache CXF Central System)."""

    KILLS = own_ids("SOAP_015_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        values = report.header_values or {}
        for name, header in (("from_address", "wsa:From"), ("reply_to", "wsa:ReplyTo")):
            if values.get(name) is None and report.kind == "request":
                raise SoapFault(FaultSubcode.PROTOCOL_ERROR, f"missing {header} header")
        return super()._admit(report, info, record)


def _unreadable(body: bytes, station: ReferenceChargePoint) -> bool:
    report = station.validator.check(body, explain=False)
    return any(v.check is Check.XML for v in report.violations)


class BareErrorOnUnreadableXml(ReferenceChargePoint):
    """Answers a request that is not XML with a bare HTTP 400 page, no SOAP fault."""

    KILLS = own_ids("SOAP_016_CS")

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        if _unreadable(body, self):
            return HttpReply(400, b"<html><body>Bad Request</body></html>", "text/html")
        return await super().handle_http(body, info)


class StopsServingAfterUnreadableXml(ReferenceChargePoint):
    """Answers a request that is not XML with the right fault, but its SOAP service dies
    with the parser: every later request gets HTTP 503."""

    KILLS = own_ids("SOAP_016_CS")

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        reply = await super().handle_http(body, info)
        if _unreadable(body, self):
            self.server.open = False
        return reply


class LenientBodyParsing(ReferenceChargePoint):
    """Reads what it knows from a request whose body breaks the schema, skips elements it
    does not know, and carries the request out."""

    KILLS = own_ids("SOAP_017_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        payload = _payload_of(report.root)
        if (report.kind == "request" and report.operation and payload is not None
                and any(v.check is Check.BODY for v in report.violations)):
            cls = message_class(report.ocpp_version, report.service, report.operation,
                                Kind.REQUEST)
            known = {field.xml_name for _, field in cls.wire_fields()}
            for child in list(payload):
                if isinstance(child.tag, str) and etree.QName(child).localname not in known:
                    payload.remove(child)
            report.violations = [v for v in report.violations if v.check is not Check.BODY]
        return super()._admit(report, info, record)


class IgnoresActionHeader(ReferenceChargePoint):
    """Dispatches on the body element alone: a missing or contradicting wsa:Action goes
    unnoticed."""

    KILLS = own_ids("SOAP_018_CS") + own_ids("SOAP_019_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        report.violations = [v for v in report.violations
                             if not (v.check is Check.HEADERS and v.where.endswith("/Action"))]
        return super()._admit(report, info, record)


class AcceptsSoap11Envelope(ReferenceChargePoint):
    """Unwraps a SOAP 1.1 envelope as if it were SOAP 1.2 and serves the request."""

    KILLS = own_ids("SOAP_020_CS")

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        if ns.SOAP11.encode() in body:
            body = body.replace(ns.SOAP11.encode(), ns.SOAP12.encode())
            body = body.replace(b'mustUnderstand="1"', b'mustUnderstand="true"')
        return await super().handle_http(body, info)


class RejectsCompressedRequests(ReferenceChargePoint):
    """Refuses a request with a Content-Encoding (gzip, deflate) with HTTP 415."""

    KILLS = own_ids("SOAP_022_CS", ("1.6",))

    async def handle_http(self, body: bytes, info: HttpRequestInfo) -> HttpReply:
        if info.headers.get("content-encoding"):
            return HttpReply(415, b"Content-Encoding not supported", "text/plain")
        return await super().handle_http(body, info)


class ProcessesRequestsWithoutIdentity(ReferenceChargePoint):
    """Checks chargeBoxIdentity only when a request has one, and serves a request without."""

    KILLS = own_ids("SOAP_023_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        if (report.header_values or {}).get("charge_box_identity") is not None:
            return super()._admit(report, info, record)
        report.violations = [v for v in report.violations
                             if not v.where.endswith("/chargeBoxIdentity")]
        own, self.identity = self.identity, None
        try:
            return super()._admit(report, info, record)
        finally:
            self.identity = own


class CaseSensitiveIdentityHeader(ReferenceChargePoint):
    """Looks for the chargeBoxIdentity header by its exact name, so ChargeBoxIdentity is
    reported missing."""

    KILLS = own_ids("SOAP_024_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        header = report.root.find(f"{{{ns.SOAP12}}}Header") if report.root is not None else None
        if report.kind == "request" and header is not None and not any(
                isinstance(b.tag, str) and etree.QName(b).localname == "chargeBoxIdentity"
                for b in header):
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR, "missing chargeBoxIdentity header")
        return super()._admit(report, info, record)


def _unknown_blocks(report: MessageReport) -> list[etree._Element]:
    header = report.root.find(f"{{{ns.SOAP12}}}Header") if report.root is not None else None
    if header is None:
        return []
    return [b for b in header if isinstance(b.tag, str)
            and etree.QName(b).namespace not in (ns.WSA, ns.SOAP12)
            and etree.QName(b).localname.lower() != "chargeboxidentity"]


class IgnoresMustUnderstand(ReferenceChargePoint):
    """Skips header blocks it does not know even when they are marked mustUnderstand."""

    KILLS = own_ids("SOAP_025_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        for block in _unknown_blocks(report):
            block.attrib.pop(f"{{{ns.SOAP12}}}mustUnderstand", None)
        return super()._admit(report, info, record)


class RejectsUnknownHeaders(ReferenceChargePoint):
    """Refuses any request with a header block it does not know, mandatory or not."""

    KILLS = own_ids("SOAP_025_CS")

    def _admit(self, report: MessageReport, info: HttpRequestInfo, record: Any) -> Any:
        unknown = _unknown_blocks(report)
        if unknown:
            raise SoapFault(FaultSubcode.PROTOCOL_ERROR,
                            f"unexpected header {etree.QName(unknown[0]).localname}")
        return super()._admit(report, info, record)
