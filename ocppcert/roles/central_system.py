"""The harness playing the Central System: the SUT is a charge point.

A case scripts it as expectations and answers:

    cs.answer(Op.BOOT_NOTIFICATION, status="Rejected", interval=2)   # the next boot
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=30)
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key="HeartbeatInterval", value="5")

Requests nobody scripted get the answer a plain Central System gives (Accepted boot,
Accepted idTags, a fresh transactionId, ...). Every message, both ways, is recorded with
its validation verdict by the Endpoint base; the plugin judges the record at case end.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from ocppcert.messages import Message, Op, operations
from ocppcert.roles.endpoint import CallContext, RemoteFault, handles
from ocppcert.roles.scripted import AnswerSpec, Received, ScriptedEndpoint
from ocppcert.verdicts import HarnessError
from ocppcert.versions import OcppVersion, Service

__all__ = ["AnswerSpec", "CentralSystemHarness", "Received"]

_CS_OPS = tuple(sorted({op for v in OcppVersion for op in operations(v, Service.CENTRAL_SYSTEM)},
                       key=lambda o: o.value))


class CentralSystemHarness(ScriptedEndpoint):
    SERVICE = Service.CENTRAL_SYSTEM
    sut_noun = "charge point"

    def __init__(self, *, heartbeat_interval: int = 300, sut_url: str | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.heartbeat_interval = heartbeat_interval
        self.fixed_sut_url = sut_url
        self.sut_url: str | None = sut_url
        self.sut_identity: str | None = None
        self.id_tags: dict[str, str] = {}  # idTag -> authorisation status; others Accepted
        self._transaction_ids = itertools.count(1)

    # -- per case ---------------------------------------------------------------------------
    def begin_case(self, version: OcppVersion) -> int:
        """Forget what earlier cases scripted and saw; return the record mark of the start."""
        self.version = version
        self.id_tags.clear()
        return self.forget_case()

    def answer_boot(self, status: str, interval: int, *, times: int = 1) -> None:
        """Answer the next BootNotification(s) with ``status`` and ``interval`` (named
        heartbeatInterval before 1.6)."""
        def build(request: Message, ctx: CallContext) -> dict[str, Any]:
            name = "interval" if ctx.version is OcppVersion.V16 else "heartbeatInterval"
            return {"status": status, name: interval}

        self.answer(Op.BOOT_NOTIFICATION, build, times=times)

    # -- calling the charge point ------------------------------------------------------------
    async def send_command(self, request: Message, *, timeout: float = 30.0,
                           identity: str | None = None) -> Message:
        """Send a typed ChargePointService request to the SUT; raises RemoteFault if it
        answers with a fault, CaseFailed if its reply is not a valid response, and
        HarnessError if it cannot be reached at all."""
        if self.sut_url is None:
            raise HarnessError("the charge point's address is unknown: no --sut-url, and no "
                               "wsa:From received from it")
        if self.sut_identity is None:
            raise HarnessError("the charge point's identity is unknown")
        return await self._call_sut(self.sut_url, request,
                                    identity=identity or self.sut_identity, timeout=timeout)

    async def command(self, op: Op, *, timeout: float = 30.0, **fields: Any) -> Any:
        """Send ``op`` with OCPP-J-style ``fields``; a fault in return fails the case."""
        request = self.request(op, **fields)
        try:
            return await self.send_command(request, timeout=timeout)
        except RemoteFault as exc:
            raise self.fault_fails(op, exc) from None

    # -- serving ------------------------------------------------------------------------------
    @handles(*_CS_OPS)
    async def on_request(self, request: Message, ctx: CallContext) -> Message:
        return await self._serve_scripted(request, ctx)

    def noticed(self, ctx: CallContext) -> None:
        if ctx.from_address and self.fixed_sut_url is None:
            self.sut_url = ctx.from_address
        if ctx.charge_box_identity:
            self.sut_identity = ctx.charge_box_identity

    def _default_fields(self, request: Any, ctx: CallContext) -> dict[str, Any]:
        """What a plain, accepting Central System answers, as OCPP-J fields."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        op, version = ctx.op, ctx.version
        if op is Op.BOOT_NOTIFICATION:
            interval = "interval" if version is OcppVersion.V16 else "heartbeatInterval"
            return {"status": "Accepted", "currentTime": now, interval: self.heartbeat_interval}
        if op is Op.HEARTBEAT:
            return {"currentTime": now}
        if op is Op.AUTHORIZE:
            return {"idTagInfo": {"status": self.id_tags.get(request.id_tag, "Accepted")}}
        if op is Op.START_TRANSACTION:
            return {"transactionId": next(self._transaction_ids),
                    "idTagInfo": {"status": self.id_tags.get(request.id_tag, "Accepted")}}
        if op is Op.STOP_TRANSACTION:
            tag = getattr(request, "id_tag", None)
            return {"idTagInfo": {"status": self.id_tags.get(tag, "Accepted")}} if tag else {}
        if op is Op.DATA_TRANSFER:
            return {"status": "UnknownVendorId"}
        return {}
