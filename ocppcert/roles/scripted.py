"""What both harness roles share: scripted answers, expectations, the link, the calls.

A harness endpoint (the Central System of the charge-point suite, the charge point of the
Central-System suite) answers each request the SUT sends with what the case scripted, or
else with the answer a plain, accepting peer gives; it keeps every request in an inbox the
case waits on with bounded, event-driven expectations; and it calls the SUT with typed
requests, turning an unusable answer into a FAIL with the offending message as evidence.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from ocppcert import checks
from ocppcert.messages import Kind, Message, Op, message_class
from ocppcert.roles.endpoint import (
    CallContext,
    Endpoint,
    ProtocolViolation,
    RemoteFault,
    payload_of,
)
from ocppcert.schema.validator import MessageReport
from ocppcert.soap.envelope import envelope_element, serialize
from ocppcert.soap.faults import SoapFault
from ocppcert.soap.headers import Headers
from ocppcert.transport import Availability, HttpReply, TransportError, WireRecord
from ocppcert.verdicts import CaseFailed, HarnessError
from ocppcert.versions import OcppVersion

AnswerSpec = (Message | SoapFault | dict[str, Any]
              | Callable[[Message, CallContext], Message | dict[str, Any] | Awaitable[Any]])


@dataclass
class Received:
    """One request the SUT sent, and what the harness answered."""

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


@dataclass
class Exchange:
    """One request sent and whatever came back, unjudged (for transport-level cases)."""

    sent: Headers
    reply: HttpReply
    report: MessageReport
    record: WireRecord

    @property
    def headers(self) -> Headers | None:
        return self.report.headers

    @property
    def fault(self) -> SoapFault | None:
        payload = payload_of(self.report)
        if self.report.kind != "fault" or payload is None:
            return None
        return SoapFault.from_element(payload)


class ScriptedEndpoint(Endpoint):
    """The scripting machinery; subclasses route their service's operations to
    :meth:`_serve_scripted` and say what a plain peer answers (:meth:`_default_fields`)."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.version: OcppVersion = OcppVersion.V16
        self.inbox: list[Received] = []
        self._answers: dict[Op, list[AnswerSpec]] = {}
        self._arrival = asyncio.Event()
        self.case_start = 0

    def forget_case(self) -> int:
        """Forget what earlier cases scripted and saw; return the record mark of the start."""
        self.inbox.clear()
        self._answers.clear()
        self.recorder.checks.clear()
        self.case_start = self.recorder.last_seq
        return self.case_start

    # -- the link --------------------------------------------------------------------------
    async def go_offline(self, mode: Availability | str = Availability.REFUSE) -> None:
        """Take the harness away from the SUT, on the harness's own endpoint only:
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
        """``async with harness.offline(): ...``: the link is down inside, up again after."""
        await self.go_offline(mode)
        try:
            yield
        finally:
            await self.go_online()

    # -- scripting answers -------------------------------------------------------------------
    def answer(self, op: Op, spec: AnswerSpec | None = None, /, *, times: int = 1,
               **fields: Any) -> None:
        """Answer the next ``times`` requests of ``op`` with ``spec`` (a message, a dict of
        OCPP-J fields, a SoapFault to raise, or a function of (request, ctx)), or with the
        keyword fields given."""
        chosen: AnswerSpec = spec if spec is not None else dict(fields)
        self._answers.setdefault(op, []).extend([chosen] * times)

    # -- waiting ----------------------------------------------------------------------------
    async def expect(self, op: Op, *, timeout: float,
                     where: Callable[[Any], bool] | None = None,
                     what: str | None = None) -> Received:
        """The next request of ``op`` not yet expected (optionally one satisfying
        ``where``). A SUT that does not send it in ``timeout`` seconds fails. The wait is
        recorded as a check (ocppcert.checks), unless ``timeout`` is 0 (a mere look-up)."""
        began = dt.datetime.now(dt.UTC)
        received = await self._wait(op, timeout, where)
        wanted = what or op.value
        name = f"the {self.sut_noun} sends {wanted} within {_secs(timeout)} s"
        expected = what or f"{_a(op.value)} {op.value} request"
        if where is not None and what is None:
            expected += " meeting the case's condition"
        if received is None:
            failed = CaseFailed(f"the {self.sut_noun} did not send {wanted} within "
                                f"{timeout:g} s")
            if timeout > 0:
                self.recorder.checks.failure(failed, name, expected=expected,
                                             seen=f"none within {_secs(timeout)} s",
                                             at_seq=self.recorder.last_seq)
            raise failed
        if timeout > 0:
            self.recorder.checks.add(name, expected=expected, seen=_arrival(received, began),
                                     verdict="PASS", evidence=(received.seq,),
                                     at_seq=self.recorder.last_seq)
        return received

    async def expect_none(self, op: Op, *, during: float, why: str,
                          where: Callable[[Any], bool] | None = None) -> None:
        """Observe for ``during`` seconds: a request of ``op`` (matching ``where``) arriving
        in that window fails the case with ``why``. Returns early on failure."""
        began = dt.datetime.now(dt.UTC)
        found = await self._wait(op, during, where)
        name = f"no {op.value} {why} (watched {_secs(during)} s)"
        expected = f"no {op.value} request from the {self.sut_noun}"
        if found is None:
            self.recorder.checks.add(name, expected=expected,
                                     seen=f"none within {_secs(during)} s", verdict="PASS",
                                     at_seq=self.recorder.last_seq)
            return
        failed = CaseFailed(f"{op.value} sent {why}", evidence=(found.seq,))
        raise self.recorder.checks.failure(failed, name, expected=expected,
                                           seen=_arrival(found, began),
                                           evidence=(found.seq,),
                                           at_seq=self.recorder.last_seq)

    async def _wait(self, op: Op, timeout: float,
                    where: Callable[[Any], bool] | None) -> Received | None:
        """The next unconsumed request of ``op`` (satisfying ``where``), consumed; None if
        none arrives within ``timeout`` seconds."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for received in self.inbox:
                if received.op is op and not received.consumed and (
                        where is None or where(received.message)):
                    received.consumed = True
                    return received
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return None
            arrival = self._arrival
            try:
                await asyncio.wait_for(arrival.wait(), remaining)
            except TimeoutError:
                pass

    # -- explicit checks (ocppcert.checks) ----------------------------------------------------
    def check(self, what: str, *, ok: bool, expected: str, seen: str,
              evidence: tuple[int, ...] = ()) -> None:
        """A case's own check: recorded PASS if ``ok``, else recorded FAIL and raised as
        CaseFailed with ``evidence``."""
        checks.check(self, what, ok=ok, expected=expected, seen=seen, evidence=evidence)

    def skip_check(self, what: str, *, expected: str, why: str) -> None:
        """A check that cannot be made here: the case, if it otherwise passes, is PARTIAL."""
        checks.skip_check(self, what, expected=expected, why=why)

    def seen(self, op: Op) -> list[Received]:
        return [r for r in self.inbox if r.op is op]

    sut_noun = "SUT"

    # -- calling the SUT ---------------------------------------------------------------------
    def _request_class(self, op: Op) -> type[Message]:
        return message_class(self.version, self.SERVICE.opposite, op, Kind.REQUEST)

    def request(self, op: Op, **fields: Any) -> Message:
        """A request of the SUT's service in the case's version, from OCPP-J camelCase
        fields (or the dataclass's snake_case ones)."""
        cls = self._request_class(op)
        return cls.from_json(fields) if fields and not _typed(fields) else cls(**fields)

    async def _call_sut(self, url: str | None, request: Message, *, identity: str,
                        timeout: float, headers: Headers | None = None) -> Message:
        """Call the SUT; RemoteFault if it faults, CaseFailed if its reply is not a valid
        response (evidence: that reply), HarnessError if it cannot be reached at all. The
        answer is recorded as a check (ocppcert.checks)."""
        if url is None:
            raise HarnessError(f"the {self.sut_noun}'s address is unknown")
        if headers is None:  # the headers call() would build, so that we know the MessageID
            headers = Headers.request(request.action, charge_box_identity=identity, to=url,
                                      from_address=self.url)
        op, mark = request.OP.value, self.recorder.last_seq
        name = f"{op} answered by the {self.sut_noun} with a valid response"
        version = getattr(request.VERSION, "value", request.VERSION)
        expected = (f"{_a(op)} {op} response valid against the OCPP {version} schema, relating to "
                    "the request (wsa:RelatesTo)")
        started = asyncio.get_running_loop().time()
        try:
            reply = await self.call(url, request, charge_box_identity=identity,
                                    timeout=timeout, headers=headers)
        except ProtocolViolation as exc:
            evidence = (exc.record.seq,) if exc.record else ()
            failed = CaseFailed(f"{request.OP.value}: {exc.reason}", evidence=evidence)
            raise self.recorder.checks.failure(
                failed, name, expected=expected, seen=exc.reason,
                evidence=(*self._sent_seqs(mark, headers), *evidence),
                at_seq=self.recorder.last_seq) from None
        except RemoteFault as exc:
            evidence = (exc.record.seq,) if exc.record else ()
            # tentative: a case may expect the fault; it counts if the fault ends the case
            self.recorder.checks.failure(
                exc, name, expected=expected, seen=f"a SOAP fault: {exc}",
                evidence=(*self._sent_seqs(mark, headers), *evidence),
                at_seq=self.recorder.last_seq)
            raise
        except TransportError as exc:
            raise HarnessError(f"{request.OP.value} could not be delivered: {exc}") from None
        elapsed = asyncio.get_running_loop().time() - started
        answer = [r for r in self.recorder.since(mark) if r.direction.value == "in"
                  and r.relates_to == headers.message_id]
        seen = (f"#{answer[0].seq} {answer[0].operation or op} {answer[0].kind or 'reply'}"
                f"{f', HTTP {answer[0].http_status}' if answer[0].http_status else ''}"
                if answer else f"a valid {op} response") + f", after {elapsed:.2f} s"
        self.recorder.checks.add(
            name, expected=expected, seen=seen, verdict="PASS",
            evidence=(*self._sent_seqs(mark, headers), *(r.seq for r in answer[:1])),
            at_seq=self.recorder.last_seq)
        return reply

    def _sent_seqs(self, mark: int, headers: Headers) -> tuple[int, ...]:
        """The seq of the request sent with ``headers`` (recorded after ``mark``)."""
        return tuple(r.seq for r in self.recorder.since(mark)
                     if r.direction.value == "out" and r.message_id == headers.message_id)[:1]

    async def exchange(self, url: str, request: Message, *, identity: str,
                       headers: Headers | None = None, timeout: float = 30.0) -> Exchange:
        """Send ``request`` (with ``headers``, or the usual full set) and return what came
        back without judging it; HarnessError if nothing came back at all."""
        if headers is None:
            headers = Headers.request(request.action, charge_box_identity=identity, to=url,
                                      from_address=self.url)
        data = serialize(envelope_element(headers, request.to_element()))
        try:
            reply, report, record = await self.send_raw(url, data, action=headers.action,
                                                        timeout=timeout)
        except TransportError as exc:
            raise HarnessError(f"{request.OP.value} could not be delivered: {exc}") from None
        return Exchange(headers, reply, report, record)

    @staticmethod
    def fault_fails(op: Op, exc: RemoteFault) -> CaseFailed:
        evidence = (exc.record.seq,) if exc.record else ()
        return CaseFailed(f"{op.value} was answered with a SOAP fault: {exc}", evidence=evidence)

    # -- serving ------------------------------------------------------------------------------
    async def _serve_scripted(self, request: Message, ctx: CallContext) -> Message:
        received = Received(ctx.op, request, ctx, ctx.record)
        self.inbox.append(received)
        self.noticed(ctx)
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

    def noticed(self, ctx: CallContext) -> None:
        """Hook: learn what a request tells about the SUT (its address, its identity)."""

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
        """What a plain, accepting peer answers, as OCPP-J fields."""
        return {}


def _a(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _secs(value: float) -> str:
    return f"{round(value, 1):g}"


def _arrival(received: Received, began: dt.datetime) -> str:
    """"#12 BootNotification request after 0.4 s" (or already there when the wait began)."""
    delay = (received.at - began).total_seconds()
    when = f"after {delay:.1f} s" if delay > 0 else "received before the wait began"
    return f"#{received.seq} {received.op.value} request, {when}"


def _typed(fields: dict[str, Any]) -> bool:
    """Keyword fields in snake_case (the dataclass) rather than OCPP-J camelCase."""
    return any("_" in key for key in fields)
