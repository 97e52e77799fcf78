"""Steps shared by the charging-session and authorisation cases (test_sessions.py,
test_authorization.py): waiting for a message after a point in the case, setting a
configuration key the case depends on, and bringing a connector into a charging session.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.central_system import CentralSystemHarness
from ocppcert.roles.scripted import Received
from ocppcert.sut.base import ChargePointSut
from ocppcert.verdicts import CaseFailed, NotApplicable
from ocppcert.versions import OcppVersion

ARRIVAL = 15.0  # s: a message the charge point must send in reaction to a step


async def expect_after(cs: CentralSystemHarness, op: Op, *, after: int, timeout: float = ARRIVAL,
                       where: Callable[[Any], bool] | None = None,
                       what: str | None = None) -> Received:
    """The first request of ``op`` (matching ``where``) recorded after wire record ``after``.

    Matching requests from before that point (e.g. the Available statuses of the boot) are
    consumed and passed over, so that they cannot stand in for the reaction awaited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        remaining = max(0.0, deadline - loop.time())
        received = await cs.expect(op, timeout=remaining, where=where, what=what)
        if received.seq > after:
            return received


async def expect_none_after(cs: CentralSystemHarness, op: Op, *, after: int, during: float,
                            why: str, where: Callable[[Any], bool] | None = None) -> None:
    """No request of ``op`` (matching ``where``) after wire record ``after`` during the next
    ``during`` seconds. Earlier matching requests (the boot's statuses...) do not count."""
    while True:
        try:
            earlier = await cs.expect(op, timeout=0, where=where)
        except CaseFailed:
            break
        if earlier.seq > after:
            raise CaseFailed(f"{op.value} sent {why}", evidence=(earlier.seq,))
    await cs.expect_none(op, during=during, why=why, where=where)


async def expect_status(cs: CentralSystemHarness, connector: int, status: str, *,
                        after: int = 0, timeout: float = ARRIVAL,
                        why: str = "") -> Received:
    """StatusNotification of ``status`` for ``connector``, sent after record ``after``."""
    what = f"StatusNotification {status} for connector {connector}"
    return await expect_after(
        cs, Op.STATUS_NOTIFICATION, after=after, timeout=timeout,
        where=lambda m: m.connector_id == connector and m.status.value == status,
        what=f"{what} {why}".strip())


def same_tag(a: str | None, b: str | None) -> bool:
    """idTags compare case-insensitively (1.6 IdToken is a CiString20)."""
    return a is not None and b is not None and a.casefold() == b.casefold()


def occupied_status(version: OcppVersion, v16_status: str) -> str:
    """The status a cable in the socket shows: 1.2 and 1.5 know only Occupied for every
    state that 1.6 splits into Preparing, Charging, SuspendedEV... and Finishing."""
    return v16_status if version is OcppVersion.V16 else "Occupied"


def heartbeat_key(version: OcppVersion) -> str:
    # 1.2 and 1.5 spell it HeartBeatInterval; 1.6 HeartbeatInterval.
    return "HeartbeatInterval" if version is OcppVersion.V16 else "HeartBeatInterval"


async def configure(cs: CentralSystemHarness, key: str, value: str, *,
                    optional: bool = False) -> bool:
    """Give ``key`` the ``value`` the case needs (the OCTT "configuration state").

    A key the charge point does not have makes the case not applicable (or, ``optional``,
    is skipped: False). So does a read-only key holding another value. A writable key
    that refuses a value of its type fails the case."""
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=value)
    status = reply.status.value
    if status == "Accepted":
        return True
    if status == "NotSupported":
        if optional:
            return False
        raise NotApplicable(f"the charge point does not have the configuration key {key}")
    if status == "RebootRequired":
        raise NotApplicable(f"{key}={value} takes effect only after a reboot")
    if cs.version is OcppVersion.V12:
        raise CaseFailed(f"ChangeConfiguration {key}={value} was answered {status}")
    read = await cs.command(Op.GET_CONFIGURATION, key=[key])
    entries = [k for k in read.configuration_key if k.key.lower() == key.lower()]
    if not entries:
        raise CaseFailed(f"ChangeConfiguration {key}={value} was answered {status}, and "
                         f"GetConfiguration does not report {key}")
    entry = entries[0]
    if (entry.value or "").lower() == value.lower():
        return True
    if entry.readonly:
        raise NotApplicable(f"{key} is read-only with the value {entry.value!r}; the case "
                            f"needs {value!r}")
    raise CaseFailed(f"ChangeConfiguration of the writable key {key} to {value!r} was "
                     f"answered {status}")


async def start_charging(cs: CentralSystemHarness, charge_point: ChargePointSut,
                         version: OcppVersion, connector: int, id_tag: str) -> Received:
    """OCTT reusable state "Charging": cable in, idTag presented, the transaction started
    (1.6: the connector reports Charging). Returns the StartTransaction received."""
    mark = cs.recorder.last_seq
    await charge_point.plug_in(connector)
    await charge_point.present_id_tag(id_tag, connector)
    start = await expect_after(
        cs, Op.START_TRANSACTION, after=mark,
        where=lambda m: m.connector_id == connector and same_tag(m.id_tag, id_tag),
        what=f"StartTransaction for {id_tag} on connector {connector}")
    if version is OcppVersion.V16:
        await expect_status(cs, connector, "Charging", after=mark,
                            why="once the transaction has started")
    return start


def transaction_id_of(start: Received) -> int:
    """The transactionId the harness gave in its StartTransaction.conf."""
    answer = start.answer
    if answer is None or not hasattr(answer, "transaction_id"):
        raise CaseFailed("the StartTransaction was not answered", evidence=(start.seq,))
    return int(answer.transaction_id)
