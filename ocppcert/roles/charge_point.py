"""The harness playing a charge point: the SUT is a Central System.

It serves its own ChargePointService (its URL travels in wsa:From, so the SUT can call it
back) and sends CentralSystemService requests exactly as a case scripts them:

    boot = await cp.send(Op.BOOT_NOTIFICATION, chargePointVendor="Acme", chargePointModel="X")
    cp.answer(Op.RESET, status="Rejected")                  # the next Reset the SUT sends
    reset = await cp.expect(Op.RESET, timeout=30)

Commands nobody scripted get the answer a plain, accepting charge point gives. Several
harness charge points (distinct identities and endpoints) can share one wire recorder, so
that a case with a fleet has one record of evidence.
"""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Message, Op, operations
from ocppcert.roles.endpoint import CallContext, RemoteFault, handles
from ocppcert.roles.scripted import Received, ScriptedEndpoint
from ocppcert.soap.headers import Headers
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion, Service

__all__ = ["ChargePointHarness", "Received"]

_CP_OPS = tuple(sorted({op for v in OcppVersion for op in operations(v, Service.CHARGE_POINT)},
                       key=lambda o: o.value))
VENDOR, MODEL = "ocppcert", "HarnessCP"


class ChargePointHarness(ScriptedEndpoint):
    """One simulated charge point ``identity`` speaking ``version`` to the Central System
    at ``central_system_url``."""

    SERVICE = Service.CHARGE_POINT
    sut_noun = "Central System"

    def __init__(self, identity: str, *, central_system_url: str,
                 version: OcppVersion | str = OcppVersion.V16, **kw: Any) -> None:
        super().__init__(identity=identity, **kw)
        self.version = OcppVersion(version)
        self.central_system_url = central_system_url
        self.config: dict[str, str] = {"HeartbeatInterval": "300", "ConnectionTimeOut": "60"}
        self.local_list_version = 0

    # -- calling the Central System ------------------------------------------------------------
    async def send_request(self, request: Message, *, timeout: float = 30.0,
                           identity: str | None = None, headers: Headers | None = None
                           ) -> Message:
        """Send a typed CentralSystemService request; RemoteFault if the SUT faults,
        CaseFailed if its reply is not the valid response (the reply is the evidence),
        HarnessError if it cannot be reached. ``headers`` replace the usual ones (for
        negative cases)."""
        return await self._call_sut(self.central_system_url, request,
                                    identity=identity or self.identity or "", timeout=timeout,
                                    headers=headers)

    async def send(self, op: Op, *, timeout: float = 30.0, **fields: Any) -> Any:
        """Send ``op`` with OCPP-J-style ``fields``; a fault in return fails the case."""
        request = self.request(op, **fields)
        try:
            return await self.send_request(request, timeout=timeout)
        except RemoteFault as exc:
            raise self.fault_fails(op, exc) from None

    async def boot(self, **fields: Any) -> Any:
        """BootNotification as this charge point (vendor and model unless given)."""
        fields.setdefault("chargePointVendor", VENDOR)
        fields.setdefault("chargePointModel", MODEL)
        return await self.send(Op.BOOT_NOTIFICATION, **fields)

    async def boot_accepted(self, **fields: Any) -> Any:
        """Boot and require Accepted: the general precondition of most cases."""
        reply = await self.boot(**fields)
        if reply.status.value != "Accepted":
            raise CaseFailed(f"BootNotification of {self.identity} answered "
                             f"{reply.status.value}, not Accepted")
        return reply

    # -- serving the Central System's commands -----------------------------------------------
    @handles(*_CP_OPS)
    async def on_command(self, request: Message, ctx: CallContext) -> Message:
        return await self._serve_scripted(request, ctx)

    def default_answer(self, request: Message, ctx: CallContext) -> Message:
        # Only an unscripted answer changes the harness's state: a case that scripted
        # "Rejected" must not find the value applied anyway.
        if ctx.op is Op.CHANGE_CONFIGURATION and request.key in self.config:
            self.config[request.key] = request.value
        elif ctx.op is Op.SEND_LOCAL_LIST:
            self.local_list_version = request.list_version
        return super().default_answer(request, ctx)

    def _default_fields(self, request: Any, ctx: CallContext) -> dict[str, Any]:
        """What a plain, accepting charge point answers, as OCPP-J fields (no side effects:
        scripted answers start from these too)."""
        op, v16 = ctx.op, ctx.version is OcppVersion.V16
        if op is Op.UNLOCK_CONNECTOR:
            return {"status": "Unlocked" if v16 else "Accepted"}
        if op is Op.GET_CONFIGURATION:
            wanted = list(getattr(request, "key", None) or self.config)
            known = [k for k in wanted if k in self.config]
            answer: dict[str, Any] = {"configurationKey": [
                {"key": k, "readonly": False, "value": self.config[k]} for k in known]}
            unknown = [k for k in wanted if k not in self.config]
            if unknown:
                answer["unknownKey"] = unknown
            return answer
        if op is Op.CHANGE_CONFIGURATION:
            return {"status": "Accepted" if request.key in self.config else "NotSupported"}
        if op is Op.GET_LOCAL_LIST_VERSION:
            return {"listVersion": self.local_list_version}
        if op is Op.DATA_TRANSFER:
            return {"status": "UnknownVendorId"}
        if op is Op.GET_COMPOSITE_SCHEDULE:
            return {"status": "Rejected"}
        if op in (Op.GET_DIAGNOSTICS, Op.UPDATE_FIRMWARE):
            return {}
        return {"status": "Accepted"}
