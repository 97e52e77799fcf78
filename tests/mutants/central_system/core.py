"""Mutants of the reference Central System: boot, authorisation, reset, SOAP headers."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ocppcert.messages import Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.transport import HttpReply
from tests.mutants.central_system import ids, own_ids


class ClockADayBehind(ReferenceCentralSystem):
    """Its clock is a day behind: BootNotification and Heartbeat tell the wrong time."""

    KILLS = ids("001")

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                         **options)


class AuthorizesStrangers(ReferenceCentralSystem):
    """Answers Accepted for an idTag it does not know."""

    KILLS = ids("023_1")

    def authorization(self, id_tag: str, **kwargs: Any) -> dict[str, Any]:
        if self.store.id_tag(id_tag) is None:
            return {"status": "Accepted"}
        return super().authorization(id_tag, **kwargs)


class IgnoresBlocking(ReferenceCentralSystem):
    """Reports a blocked idTag as Accepted."""

    KILLS = ids("023_3")

    def authorization(self, id_tag: str, **kwargs: Any) -> dict[str, Any]:
        info = super().authorization(id_tag, **kwargs)
        return {**info, "status": "Accepted"} if info["status"] == "Blocked" else info


class ResetsSoftOnly(ReferenceCentralSystem):
    """Sends every Reset as Soft, whatever its operator asked for."""

    KILLS = ids("013")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Any:
        if Op(op) is Op.RESET:
            fields = {**(fields or {}), "type": "Soft"}
        return super().build_request(identity, op, fields)


class ResetsHardOnly(ReferenceCentralSystem):
    """Sends every Reset as Hard, whatever its operator asked for."""

    KILLS = ids("014")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Any:
        if Op(op) is Op.RESET:
            fields = {**(fields or {}), "type": "Hard"}
        return super().build_request(identity, op, fields)


_RELATES_TO = re.compile(rb"(<(?:\w+:)?RelatesTo[^>]*>)[^<]*")


class RelatesToNothing(ReferenceCentralSystem):
    """Puts a made-up MessageID in the RelatesTo of its responses."""

    KILLS = own_ids("SOAP_001_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        made_up = rb"\1urn:uuid:00000000-0000-4000-8000-000000000000"
        return HttpReply(reply.status, _RELATES_TO.sub(made_up, reply.body), reply.content_type)


class PlainTextErrors(ReferenceCentralSystem):
    """Answers what it cannot process with a plain-text HTTP 500 instead of a SOAP fault."""

    KILLS = own_ids("SOAP_002_CSMS")

    async def handle_http(self, body: bytes, info: Any) -> HttpReply:
        reply = await super().handle_http(body, info)
        if reply.status >= 400:
            return HttpReply(500, b"Internal Server Error", "text/plain")
        return reply
