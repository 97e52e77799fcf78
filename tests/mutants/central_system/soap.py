"""Mutants of the reference Central System: SOAP transport and robustness."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from lxml import etree

from ocppcert import ns
from ocppcert.ns import CS_2010_08, CS_2012_06, CS_2015_10
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.roles.endpoint import CallContext
from ocppcert.schema.validator import Check
from ocppcert.soap import Headers
from ocppcert.soap.envelope import HEADER, serialize
from ocppcert.soap.faults import FaultSubcode, SoapFault
from ocppcert.transport import HttpReply
from ocppcert.xml import XmlRejected, parse
from tests.mutants.central_system import own_ids


class PlainTextSchemaErrors(ReferenceCentralSystem):
    """Answers every request it cannot process with a plain-text HTTP 500, not a SOAP fault."""

    KILLS = own_ids("SOAP_003_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        if reply.status >= 400:
            return HttpReply(500, b"Internal Server Error", "text/plain; charset=utf-8")
        return reply


class WedgedAfterBadInput(ReferenceCentralSystem):
    """After one request it cannot process, answers everything with HTTP 503."""

    KILLS = own_ids("SOAP_004_CSMS")

    wedged = False

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        if self.wedged:
            return HttpReply(503, b"Service Unavailable", "text/plain; charset=utf-8")
        reply = await super().handle_http(body, info)
        self.wedged = reply.status >= 400
        return reply


class Soap11ContentType(ReferenceCentralSystem):
    """Sends its responses as text/xml (SOAP 1.1's media type) instead of application/soap+xml."""

    KILLS = own_ids("SOAP_005_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        return HttpReply(reply.status, reply.body, "text/xml; charset=utf-8")


class Answers16In15Namespace(ReferenceCentralSystem):
    """Ignores namespaces: answers OCPP 1.6 requests with OCPP 1.5-namespace bodies."""

    KILLS = own_ids("SOAP_006_CSMS", ("1.6",))

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        old, new = CS_2015_10.encode(), CS_2012_06.encode()
        return HttpReply(reply.status, reply.body.replace(old, new), reply.content_type)


class OwnAddressInTo(ReferenceCentralSystem):
    """Puts its own address, not the charge point's, in the wsa:To of its commands."""

    KILLS = own_ids("SOAP_007_CSMS")

    async def call(self, url: str, request: Any, *, charge_box_identity: str,
                   timeout: float | None = None, headers: Headers | None = None) -> Any:
        headers = Headers.request(request.action, charge_box_identity=charge_box_identity,
                                  to=self.url, from_address=self.url)
        return await super().call(url, request, charge_box_identity=charge_box_identity,
                                  timeout=timeout, headers=headers)


class AnswersInNewerNamespace(ReferenceCentralSystem):
    """Ignores namespaces: answers 1.5 requests in 1.6's namespace and 1.2 ones in 1.5's."""

    KILLS = own_ids("SOAP_006_CSMS", ("1.5", "1.2"))

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        data = reply.body.replace(CS_2012_06.encode(), CS_2015_10.encode())
        data = data.replace(CS_2010_08.encode(), CS_2012_06.encode())
        return HttpReply(reply.status, data, reply.content_type)


# -- SOAP_008 onwards: faults, addressing, robustness --------------------------------------
_WSA_MESSAGE_ID = f"{{{ns.WSA}}}MessageID"
_WSA_RELATES_TO = f"{{{ns.WSA}}}RelatesTo"


def _rewrite_headers(body: bytes, change: Callable[[etree._Element], None]) -> bytes:
    """``body`` with its SOAP Header changed by ``change`` (unchanged if it has none)."""
    try:
        root = parse(body)
    except XmlRejected:
        return body
    header = root.find(HEADER)
    if header is None:
        return body
    change(header)
    return serialize(root)


class AnonymousRequestsServed(ReferenceCentralSystem):
    """Serves requests without chargeBoxIdentity, filing them under an "anonymous" charge point."""

    KILLS = own_ids("SOAP_008_CSMS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        report.violations = [v for v in report.violations
                             if not v.where.endswith("/chargeBoxIdentity")]
        return super()._admit(report, info, record)

    def _admit_charge_point(self, ctx: CallContext) -> str:
        if not ctx.charge_box_identity:
            ctx = dataclasses.replace(
                ctx, headers=ctx.headers.with_(charge_box_identity="anonymous"))
        return super()._admit_charge_point(ctx)


class ReceiverFaultForGarbage(ReferenceCentralSystem):
    """Blames itself for unreadable input: a body that is not XML gets Receiver/InternalError."""

    KILLS = own_ids("SOAP_009_CSMS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        if any(v.check is Check.XML for v in report.violations):
            raise SoapFault(FaultSubcode.INTERNAL_ERROR, "could not parse the request")
        return super()._admit(report, info, record)


class NoLengthLimits(ReferenceCentralSystem):
    """Does not enforce the schema's maxLength facets: over-long strings are stored as sent."""

    KILLS = own_ids("SOAP_010_CSMS", ("1.6", "1.5"))

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        report.violations = [v for v in report.violations
                             if not (v.check is Check.BODY and "length" in v.reason.lower())]
        return super()._admit(report, info, record)


class ServesSoap11(ReferenceCentralSystem):
    """Takes SOAP 1.1 envelopes for SOAP 1.2 ones and serves them instead of VersionMismatch."""

    KILLS = own_ids("SOAP_011_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        return await super().handle_http(body.replace(ns.SOAP11.encode(), ns.SOAP12.encode()),
                                         info)


class TextXmlCommands(ReferenceCentralSystem):
    """Sends its commands to charge points as text/xml (SOAP 1.1's media type)."""

    KILLS = own_ids("SOAP_012_CSMS")

    async def start(self) -> str:
        post = self.client.post

        async def text_xml_post(url: str, data: bytes, **options: Any) -> HttpReply:
            options["content_type"] = "text/xml; charset=utf-8"
            return await post(url, data, **options)

        self.client.post = text_xml_post  # type: ignore[method-assign]
        return await super().start()


class ReusedCommandMessageId(ReferenceCentralSystem):
    """Puts the same wsa:MessageID on every command it sends (a constant from its config)."""

    KILLS = own_ids("SOAP_013_CSMS")

    MESSAGE_ID = "urn:uuid:0c0c0c0c-0000-4000-8000-000000000001"

    async def call(self, url: str, request: Any, *, charge_box_identity: str,
                   timeout: float | None = None, headers: Headers | None = None) -> Any:
        headers = Headers.request(request.action, charge_box_identity=charge_box_identity,
                                  to=url, from_address=self.url,
                                  message_id_factory=lambda: self.MESSAGE_ID)
        return await super().call(url, request, charge_box_identity=charge_box_identity,
                                  timeout=timeout, headers=headers)


class EchoedMessageIdResponses(ReferenceCentralSystem):
    """Gives each response the MessageID of the request it answers, instead of one of its own."""

    KILLS = own_ids("SOAP_014_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)

        def echo(header: etree._Element) -> None:
            relates_to = header.findtext(_WSA_RELATES_TO)
            message_id = header.find(_WSA_MESSAGE_ID)
            if relates_to and message_id is not None:
                message_id.text = relates_to

        return HttpReply(reply.status, _rewrite_headers(reply.body, echo), reply.content_type)


class FaultsWithoutRelatesTo(ReferenceCentralSystem):
    """Leaves wsa:RelatesTo off its faults, so a charge point cannot match them to requests."""

    KILLS = own_ids("SOAP_015_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        if reply.status < 400:
            return reply

        def drop(header: etree._Element) -> None:
            for block in header.findall(_WSA_RELATES_TO):
                header.remove(block)

        return HttpReply(reply.status, _rewrite_headers(reply.body, drop), reply.content_type)


class RejectsUnknownHeaders(ReferenceCentralSystem):
    """Faults on any header block it does not know, even one that is not mustUnderstand."""

    KILLS = own_ids("SOAP_016_CSMS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        header = report.root.find(HEADER) if report.root is not None else None
        for block in header if header is not None else ():
            if not isinstance(block.tag, str):
                continue
            qname = etree.QName(block)
            if qname.namespace != ns.WSA and qname.localname.lower() != "chargeboxidentity":
                raise SoapFault(FaultSubcode.PROTOCOL_ERROR,
                                f"unexpected header block {qname.localname}")
        return super()._admit(report, info, record)


class DispatchesOnBody(ReferenceCentralSystem):
    """Ignores wsa:Action and serves whatever operation the body holds."""

    KILLS = own_ids("SOAP_017_CSMS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        report.violations = [v for v in report.violations if not v.where.endswith("/Action")]
        return super()._admit(report, info, record)


# -- imperfect Central Systems (tests/test_imperfect_central_systems.py) -------------------
class NoAddressingOnResponses(ReferenceCentralSystem):
    """Sends its responses and faults without any WS-Addressing header (Action, MessageID,
    RelatesTo)."""

    KILLS = own_ids("SOAP_001_CSMS") + own_ids("SOAP_014_CSMS") + own_ids("SOAP_015_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)

        def strip(header: etree._Element) -> None:
            for block in list(header):
                if isinstance(block.tag, str) and etree.QName(block).namespace == ns.WSA:
                    header.remove(block)

        return HttpReply(reply.status, _rewrite_headers(reply.body, strip), reply.content_type)


class BareUuidMessageIds(ReferenceCentralSystem):
    """Gives its responses bare-UUID MessageIDs ("5f0c…"), not URIs ("urn:uuid:5f0c…")."""

    KILLS = own_ids("SOAP_014_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)

        def bare(header: etree._Element) -> None:
            message_id = header.find(_WSA_MESSAGE_ID)
            if message_id is not None and message_id.text:
                message_id.text = message_id.text.removeprefix("urn:uuid:")

        return HttpReply(reply.status, _rewrite_headers(reply.body, bare), reply.content_type)
