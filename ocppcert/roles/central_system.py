"""The harness playing the Central System: the SUT is a charge point.

A case scripts it as expectations and answers:

    cs.answer(Op.BOOT_NOTIFICATION, status="Rejected", interval=2)   # the next boot
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=30)
    reply = await cs.call(Op.CHANGE_CONFIGURATION, key="HeartbeatInterval", value="5")

Requests nobody scripted get the answer a plain Central System gives (Accepted boot,
Accepted idTags, a fresh transactionId, ...). Every message, both ways, is recorded with
its validation verdict by the Endpoint base; the plugin judges the record at case end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ocppcert.messages import Kind, Message, Op, message_class, operations
from ocppcert.roles.endpoint import CallContext, Endpoint, ProtocolViolation, RemoteFault, handles
from ocppcert.soap.faults import SoapFault
from ocppcert.transport import Availability, TransportError, WireRecord
from ocppcert.verdicts import CaseFailed, HarnessError
from ocppcert.versions import OcppVersion, Service

AnswerSpec = (Message | SoapFault | dict[str, Any]
              | Callable[[Message, CallContext], Message | dict[str, Any] | Awaitable[Any]])
_CS_OPS = tuple(sorted({op for v in OcppVersion for op in operations(v, Service.CENTRAL_SYSTEM)},
                       key=lambda o: o.value))


@dataclass
class Received:
    """One request the charge point sent, and what the harness answered."""

    op: Op
    message: Any
    ctx: CallContext
    record: WireRecord | None
    answer: Message | SoapFault | None = None
    consumed: bool = False
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    @property
    def seq(self) -> int:
        return self.record.seq if self.record else 0


class CentralSystemHarness(Endpoint):
    SERVICE = Service.CENTRAL_SYSTEM

    def __init__(self, *, heartbeat_interval: int = 300, sut_url: str | None = None,
                 **kw: Any) -> None:
        super().__init__(**kw)
        self.heartbeat_interval = heartbeat_interval
        self.fixed_sut_url = sut_url
        self.sut_url: str | None = sut_url
        self.sut_identity: str | None = None
        self.version: OcppVersion = OcppVersion.V16
        self.inbox: list[Received] = []
        self.id_tags: dict[str, str] = {}  # idTag -> authorisation status; others Accepted
        self._answers: dict[Op, list[AnswerSpec]] = {}
        self._arrival = asyncio.Event()
        self._transaction_ids = itertools.count(1)
        self.case_start = 0

    # -- per case ---------------------------------------------------------------------------
    def begin_case(self, version: OcppVersion) -> int:
        """Forget what earlier cases scripted and saw; return the record mark of the start."""
        self.version = version
        self.inbox.clear()
        self.id_tags.clear()
        self._answers.clear()
        self.case_start = self.recorder.last_seq
        return self.case_start

    # -- the link --------------------------------------------------------------------------
    async def go_offline(self, mode: Availability | str = Availability.REFUSE) -> None:
        """Take the Central System away from the SUT, on the harness's own endpoint only:
        ``refuse`` stops listening, ``drop`` closes each connection unanswered,
        ``unavailable`` answers HTTP 503."""
        if Availability(mode) is Availability.OPEN:
            raise ValueError("go_offline wants refuse, drop or unavailable")
        await self.server.set_availability(mode)

    async def go_online(self) -> None:
        await self.server.set_availability(Availability.OPEN)

    @property
    def online(self) -> bool:
        return self.server.availability is Availability.OPEN

    @contextlib.asynccontextmanager
    async def offline(self, mode: Availability | str = Availability.REFUSE
                      ) -> AsyncIterator[None]:
        """``async with cs.offline(): ...``: the link is down inside, up again after."""
        await self.go_offline(mode)
        try:
            yield
        finally:
            await self.go_online()

    def answer(self, op: Op, spec: AnswerSpec | None = None, /, *, times: int = 1,
               **fields: Any) -> None:
        """Answer the next ``times`` requests of ``op`` with ``spec`` (a message, a dict of
        OCPP-J fields, a SoapFault to raise, or a function of (request, ctx)), or with the
        keyword fields given."""
        chosen: AnswerSpec = spec if spec is not None else dict(fields)
        self._answers.setdefault(op, []).extend([chosen] * times)

    def answer_boot(self, status: str, interval: int, *, times: int = 1) -> None:
        """Answer the next BootNotification(s) with ``status`` and ``interval`` (named
        heartbeatInterval before 1.6)."""
        def build(request: Message, ctx: CallContext) -> dict[str, Any]:
            name = "interval" if ctx.version is OcppVersion.V16 else "heartbeatInterval"
            return {"status": status, name: interval}

        self.answer(Op.BOOT_NOTIFICATION, build, times=times)

    # -- waiting ----------------------------------------------------------------------------
    async def expect(self, op: Op, *, timeout: float,
                     where: Callable[[Any], bool] | None = None,
                     what: str | None = None) -> Received:
        """The next request of ``op`` not yet expected (optionally one satisfying
        ``where``). A charge point that does not send it in ``timeout`` seconds fails."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for received in self.inbox:
                if received.op is op and not received.consumed and (
                        where is None or where(received.message)):
                    received.consumed = True
                    return received
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise CaseFailed(f"the charge point did not send {what or op.value} within "
                                 f"{timeout:g} s")
            arrival = self._arrival
            try:
                await asyncio.wait_for(arrival.wait(), remaining)
            except TimeoutError:
                pass

    async def expect_none(self, op: Op, *, during: float, why: str,
                          where: Callable[[Any], bool] | None = None) -> None:
        """Observe for ``during`` seconds: a request of ``op`` (matching ``where``) arriving
        in that window fails the case with ``why``. Returns early on failure."""
        try:
            found = await self.expect(op, timeout=during, where=where)
        except CaseFailed:
            return
        raise CaseFailed(f"{op.value} sent {why}", evidence=(found.seq,))

    def seen(self, op: Op) -> list[Received]:
        return [r for r in self.inbox if r.op is op]

    # -- calling the charge point ------------------------------------------------------------
    def request(self, op: Op, **fields: Any) -> Message:
        cls = message_class(self.version, Service.CHARGE_POINT, op, Kind.REQUEST)
        return cls.from_json(fields) if fields and not _typed(fields) else cls(**fields)

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
        try:
            return await self.call(self.sut_url, request,
                                   charge_box_identity=identity or self.sut_identity,
                                   timeout=timeout)
        except ProtocolViolation as exc:
            evidence = (exc.record.seq,) if exc.record else ()
            raise CaseFailed(f"{request.OP.value}: {exc.reason}", evidence=evidence) from None
        except TransportError as exc:
            raise HarnessError(f"{request.OP.value} could not be delivered: {exc}") from None

    async def command(self, op: Op, *, timeout: float = 30.0, **fields: Any) -> Any:
        """Send ``op`` with OCPP-J-style ``fields``; a fault in return fails the case."""
        request = self.request(op, **fields)
        try:
            return await self.send_command(request, timeout=timeout)
        except RemoteFault as exc:
            evidence = (exc.record.seq,) if exc.record else ()
            raise CaseFailed(f"{op.value} was answered with a SOAP fault: {exc}",
                             evidence=evidence) from None

    # -- serving ------------------------------------------------------------------------------
    @handles(*_CS_OPS)
    async def on_request(self, request: Message, ctx: CallContext) -> Message:
        received = Received(ctx.op, request, ctx, ctx.record)
        self.inbox.append(received)
        if ctx.from_address and self.fixed_sut_url is None:
            self.sut_url = ctx.from_address
        if ctx.charge_box_identity:
            self.sut_identity = ctx.charge_box_identity
        try:
            queue = self._answers.get(ctx.op)
            spec = queue.pop(0) if queue else None
            response = await self._respond(spec, request, ctx)
            received.answer = response
            return response
        except SoapFault as fault:
            received.answer = fault
            raise
        finally:
            self._arrival.set()
            self._arrival = asyncio.Event()

    async def _respond(self, spec: AnswerSpec | None, request: Message,
                       ctx: CallContext) -> Message:
        if spec is None:
            return self.default_answer(request, ctx)
        if isinstance(spec, SoapFault):
            raise spec
        if callable(spec) and not isinstance(spec, Message):
            spec = spec(request, ctx)
            if asyncio.iscoroutine(spec):
                spec = await spec
        if isinstance(spec, Message):
            return spec
        fields = dict(self._default_fields(request, ctx))
        fields.update(spec)  # type: ignore[arg-type]
        return ctx.response_class().from_json(fields)

    def default_answer(self, request: Message, ctx: CallContext) -> Message:
        return ctx.response_class().from_json(self._default_fields(request, ctx))

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


def _typed(fields: dict[str, Any]) -> bool:
    """Keyword fields in snake_case (the dataclass) rather than OCPP-J camelCase."""
    return any("_" in key for key in fields)
