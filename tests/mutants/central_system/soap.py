"""Mutants of the reference Central System: SOAP transport and robustness."""

from __future__ import annotations

from typing import Any

from ocppcert.ns import CS_2010_08, CS_2012_06, CS_2015_10
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.soap import Headers
from ocppcert.transport import HttpReply
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
