"""Shared steps of the offline cases: making idTags usable offline, driving transactions,
letting an offline period last, and reading timestamps.

Offline is always simulated on the harness's own endpoint (``cs.offline(mode)``); the
charge point is only driven through its driver and the protocol.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ocppcert.messages import Op
from ocppcert.pics import Pics, Requirement
from ocppcert.verdicts import CaseFailed, NotApplicable
from ocppcert.versions import OcppVersion

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16

TAG_A = "OFFLINE-TAG-A"
TAG_B = "OFFLINE-TAG-B"
ARRIVAL = 15.0  # s: a queued message must arrive within this after the link is back
_transaction_ids = itertools.count(731001)


def _can_authorise_offline(p: Pics) -> bool:
    return ("LocalAuthListManagement" in p.profiles
            or bool({"authorization_cache", "unknown_offline_authorization"} & p.features))


OFFLINE_AUTHORISATION = Requirement(
    "can authorise an idTag while offline (local list, authorization cache or unknown-id "
    "offline authorization)",
    _can_authorise_offline,
    lambda p: replace(p, features=p.features | {"authorization_cache"}),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(moment: dt.datetime) -> dt.datetime:
    """A timestamp without a zone is read as UTC (what OCPP asks for)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def seconds(later: dt.datetime, earlier: dt.datetime) -> float:
    return (aware(later) - aware(earlier)).total_seconds()


def new_transaction_id() -> int:
    """A transactionId no charge point would invent itself (not 0, -1, or a small count)."""
    return next(_transaction_ids)


def answer_start(cs: Any, transaction_id: int, status: str = "Accepted") -> None:
    """The next StartTransaction gets ``transaction_id`` and idTagInfo ``status``."""
    cs.answer(Op.START_TRANSACTION, transactionId=transaction_id,
              idTagInfo={"status": status})


def received_since(cs: Any, mark: int, op: Any) -> list[Any]:
    """Requests of ``op`` that arrived after the first ``mark`` of the case."""
    return [r for r in cs.inbox[mark:] if r.op is op]


def forget_inbox(cs: Any) -> None:
    """What arrived during the preparation is not evidence for the case itself."""
    for received in cs.inbox:
        received.consumed = True


def arriving_from_now(cs: Any, where: Callable[[Any], bool] | None = None
                      ) -> Callable[[Any], bool]:
    """A ``where`` for expect/expect_none that ignores what has already arrived."""
    before = {id(r.message) for r in cs.inbox}
    return lambda m: id(m) not in before and (where is None or where(m))


async def keep_offline(cs: Any, duration: float, what: str) -> None:
    """Let the offline period last ``duration`` s (the scenario needs time to pass while the
    charge point cannot reach the Central System). The harness's endpoint is down, so
    nothing can be delivered meanwhile; expect_none is the bounded way to let it pass."""
    await cs.expect_none(Op.START_TRANSACTION, during=duration, where=arriving_from_now(cs),
                         why=f"while the harness's endpoint was down ({what})")


async def configure(cs: Any, key: str, value: str, *, optional: bool = False) -> bool:
    """ChangeConfiguration that must be Accepted; ``optional`` keys may be NotSupported
    (→ False)."""
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=value)
    status = reply.status.value
    if status == "Accepted":
        return True
    if optional and status == "NotSupported":
        return False
    raise CaseFailed(f"ChangeConfiguration {key}={value} was answered {status}, not Accepted")


def is_tag(m: Any, tag: str) -> bool:
    return m.id_tag is not None and m.id_tag.casefold() == tag.casefold()


async def start_transaction(cs: Any, charge_point: Any, tag: str, connector: int) -> Any:
    """Online: present ``tag``, plug in; → the StartTransaction received."""
    await charge_point.present_id_tag(tag, connector)
    await charge_point.plug_in(connector)
    return await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                           where=lambda m: m.connector_id == connector and is_tag(m, tag),
                           what=f"StartTransaction for {tag} on connector {connector}")


def transaction_id_of(start: Any) -> int:
    """The transactionId the harness gave in its answer to ``start``."""
    answer = start.answer
    transaction_id = getattr(answer, "transaction_id", None)
    if transaction_id is None:
        raise CaseFailed("StartTransaction was not answered with a transactionId",
                         evidence=(start.seq,))
    return int(transaction_id)


async def expect_stop(cs: Any, transaction_id: int, *, timeout: float = ARRIVAL,
                      what: str = "StopTransaction") -> Any:
    """The StopTransaction of ``transaction_id``; one carrying another id fails at once."""
    stop = await cs.expect(Op.STOP_TRANSACTION, timeout=timeout, what=what)
    if stop.message.transaction_id != transaction_id:
        raise CaseFailed(f"StopTransaction carries transactionId {stop.message.transaction_id}; "
                         f"the Central System assigned {transaction_id} to that transaction",
                         evidence=(stop.seq,))
    return stop


async def allow_offline_start(cs: Any, charge_point: Any, version: OcppVersion, pics: Pics,
                              tags: tuple[str, ...]) -> str:
    """Put the charge point in a state where ``tags`` may start a transaction offline (OCTT
    TC_037: LocalAuthorizeOffline, and the tags in the local list, or in the cache, or
    unknown ids allowed offline). Returns which of these is used."""
    if version is V16:
        await configure(cs, "LocalAuthorizeOffline", "true")
    if version is not V12 and "LocalAuthListManagement" in pics.profiles:
        if version is V16:
            await configure(cs, "LocalAuthListEnabled", "true")
        name = "localAuthorizationList" if version is V16 else "localAuthorisationList"
        entries = [{"idTag": tag, "idTagInfo": {"status": "Accepted"}} for tag in tags]
        reply = await cs.command(Op.SEND_LOCAL_LIST, updateType="Full", listVersion=1,
                                 **{name: entries})
        if reply.status.value != "Accepted":
            raise CaseFailed(f"SendLocalList (Full, {len(tags)} Accepted idTags) was answered "
                             f"{reply.status.value}, but the charge point claims local lists")
        return "local list"
    if version is V16 and "unknown_offline_authorization" in pics.features:
        await configure(cs, "AllowOfflineTxForUnknownId", "true")
        return "unknown id allowed offline"
    if "authorization_cache" in pics.features:
        if version is V16:
            await configure(cs, "AuthorizationCacheEnabled", "true")
        for tag in tags:
            # A transaction's StartTransaction.conf puts the idTag in the cache.
            start = await start_transaction(cs, charge_point, tag, 1)
            await charge_point.present_id_tag(tag, 1)
            await expect_stop(cs, transaction_id_of(start),
                              what=f"StopTransaction after presenting {tag} again")
            await charge_point.unplug(1)
        forget_inbox(cs)
        return "authorization cache"
    raise NotApplicable(f"OCPP {version.value}: the charge point has no way to authorise an "
                        "idTag offline that this version defines")


def meter_timestamps(message: Any, version: OcppVersion) -> list[dt.datetime]:
    values = message.meter_value if version is V16 else message.values
    return [aware(v.timestamp) for v in values]


def sampled_contexts(message: Any, version: OcppVersion) -> list[str | None]:
    """(1.5, 1.6) the context of every value; None where it is omitted."""
    if version is V12:
        return []
    if version is V16:
        values = [s for mv in message.meter_value for s in mv.sampled_value]
    else:
        values = [s for mv in message.values for s in mv.value]
    return [s.context.value if s.context is not None else None for s in values]


def sampled_formats(message: Any, version: OcppVersion) -> list[str | None]:
    if version is V12:
        return []
    if version is V16:
        values = [s for mv in message.meter_value for s in mv.sampled_value]
    else:
        values = [s for mv in message.values for s in mv.value]
    return [s.format.value if s.format is not None else None for s in values]
