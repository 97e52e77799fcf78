"""Mutants of the reference Central System: sessions, authorisation, DataTransfer, power
failure."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any

from ocppcert.messages import Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.soap import FaultSubcode
from ocppcert.soap.faults import SoapFault
from tests.mutants.central_system import ids

_LATE = dt.timedelta(seconds=60)


def _wire(value: Any) -> str:
    return str(getattr(value, "value", value))


class StopCountsItsOwnTransaction(ReferenceCentralSystem):
    """Checks the stopping idTag for concurrency, so StopTransaction answers ConcurrentTx."""

    KILLS = ids("003")

    def authorization(self, id_tag: str, *, concurrency: bool = True,
                      ignore_connector: tuple[str, int] | None = None) -> dict[str, Any]:
        return super().authorization(id_tag, concurrency=True,
                                     ignore_connector=ignore_connector)


class AuthorizationIsATransaction(ReferenceCentralSystem):
    """Counts an Accepted Authorize as the tag's session: the StartTransaction after it is
    answered ConcurrentTx."""

    KILLS = ids("004_1")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.authorised: set[tuple[str, str]] = set()

    async def authorize(self, request: Any, ctx: Any) -> Any:
        reply = await super().authorize(request, ctx)
        if _wire(reply.id_tag_info.status) == "Accepted":
            self.authorised.add((ctx.charge_box_identity, request.id_tag))
        return reply

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        reply = await super().start_transaction(request, ctx)
        if (ctx.charge_box_identity, request.id_tag) in self.authorised:
            return self._answer(ctx, {"transactionId": reply.transaction_id,
                                      "idTagInfo": {"status": "ConcurrentTx"}})
        return reply


class AuthorizeHoldsTag(ReferenceCentralSystem):
    """Holds an authorised idTag for the transaction to come and never lets go when none
    starts: the next Authorize of it is answered ConcurrentTx."""

    KILLS = ids("004_2")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.held: set[str] = set()

    async def authorize(self, request: Any, ctx: Any) -> Any:
        if request.id_tag in self.held:
            return self._answer(ctx, {"idTagInfo": {"status": "ConcurrentTx"}})
        reply = await super().authorize(request, ctx)
        if _wire(reply.id_tag_info.status) == "Accepted":
            self.held.add(request.id_tag)
        return reply

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        self.held.discard(request.id_tag)
        return await super().start_transaction(request, ctx)


class EvDisconnectIsAPause(ReferenceCentralSystem):
    """Takes a stop with reason EVDisconnected for a pause: answers it but keeps the
    transaction ongoing."""

    KILLS = ids("005_1", ("1.6",))

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        reason = getattr(request, "reason", None)
        if reason is not None and _wire(reason) == "EVDisconnected":
            self._admit_charge_point(ctx)
            return self._answer(ctx, {"idTagInfo": self.authorization(request.id_tag,
                                                                      concurrency=False)})
        return await super().stop_transaction(request, ctx)


class WantsAuthorizeFirst(ReferenceCentralSystem):
    """Answers Invalid to a StartTransaction whose idTag the charge point did not
    Authorize first (a start with a cached id)."""

    KILLS = ids("007")

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.authorised: set[tuple[str, str]] = set()

    async def authorize(self, request: Any, ctx: Any) -> Any:
        self.authorised.add((ctx.charge_box_identity, request.id_tag))
        return await super().authorize(request, ctx)

    async def start_transaction(self, request: Any, ctx: Any) -> Any:
        reply = await super().start_transaction(request, ctx)
        if (ctx.charge_box_identity, request.id_tag) not in self.authorised:
            return self._answer(ctx, {"transactionId": reply.transaction_id,
                                      "idTagInfo": {"status": "Invalid"}})
        return reply


class ClearsEveryCache(ReferenceCentralSystem):
    """Sends ClearCache to every charge point it knows, not only to the one asked."""

    KILLS = ids("061")

    async def command(self, identity: str, request: Any, *, timeout: float | None = None
                      ) -> Any:
        op = request[0] if isinstance(request, tuple) else request.OP
        if Op(op) is Op.CLEAR_CACHE:
            for cp in self.store.charge_points():
                if cp["identity"] != identity and cp["endpoint_url"]:
                    with contextlib.suppress(Exception):  # their answers do not matter
                        await super().command(cp["identity"], (Op.CLEAR_CACHE, {}),
                                              timeout=timeout)
        return await super().command(identity, request, timeout=timeout)


class IgnoresExpiryDate(ReferenceCentralSystem):
    """Looks only at the stored status: an Accepted idTag whose expiryDate passed stays
    Accepted."""

    KILLS = ids("023_2")

    def authorization(self, id_tag: str, **kwargs: Any) -> dict[str, Any]:
        info = super().authorization(id_tag, **kwargs)
        row = self.store.id_tag(id_tag)
        if info["status"] == "Expired" and row is not None and row["status"] == "Accepted":
            return {**info, "status": "Accepted"}
        return info


class NoLockFailureCode(ReferenceCentralSystem):
    """Its error-code table lacks ConnectorLockFailure: such a StatusNotification is
    answered with a SOAP fault."""

    KILLS = ids("024")

    async def status_notification(self, request: Any, ctx: Any) -> Any:
        if _wire(request.error_code) == "ConnectorLockFailure":
            raise SoapFault(FaultSubcode.INTERNAL_ERROR, "unknown error code")
        return await super().status_notification(request, ctx)


class AcceptsAnyVendor(ReferenceCentralSystem):
    """Answers every DataTransfer Accepted, whatever its vendorId."""

    KILLS = ids("064", ("1.6", "1.5"))

    async def data_transfer(self, request: Any, ctx: Any) -> Any:
        self._admit_charge_point(ctx)
        return self._answer(ctx, {"status": "Accepted"})


class DropsLateStops(ReferenceCentralSystem):
    """Takes a StopTransaction stamped over a minute ago for stale: answers it but leaves
    the transaction ongoing."""

    KILLS = ids("032_1")

    async def stop_transaction(self, request: Any, ctx: Any) -> Any:
        stamp = request.timestamp
        stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        if self.now() - stamp > _LATE:
            self._admit_charge_point(ctx)
            if not request.id_tag:
                return self._answer(ctx, {})
            return self._answer(ctx, {"idTagInfo": self.authorization(request.id_tag,
                                                                      concurrency=False)})
        return await super().stop_transaction(request, ctx)
