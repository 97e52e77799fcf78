"""Steps shared by the reset, unlock, meter-value, power-failure and fault cases.

``start_charging`` is OCTT's reusable state "Charging"; the ``where`` helpers let a case
ask for a request that arrived after a given moment, so that statuses reported before a
reboot are never mistaken for those reported after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ocppcert.messages import Op
from ocppcert.roles.central_system import CentralSystemHarness, Received
from ocppcert.sut.base import ChargePointSut
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

ID_TAG = "OCPPCERT-PWR"
TRANSACTION_TIMEOUT = 30  # s: a transaction message the station owes us
STATUS_TIMEOUT = 15  # s: a StatusNotification after the change that causes it
REBOOT_TIMEOUT = 45  # s: BootNotification after a reset or the power coming back

Where = Callable[[Any], bool]


def after(cs: CentralSystemHarness, mark: Received) -> Where:
    """``where`` filter: requests that arrived after ``mark``."""
    def later(message: Any) -> bool:
        for received in reversed(cs.inbox):
            if received is mark:
                return False
            if received.message is message:
                return True
        return False
    return later


def from_now(cs: CentralSystemHarness) -> Where:
    """``where`` filter: requests that arrive from this moment on."""
    known = len(cs.inbox)
    return lambda message: any(r.message is message for r in cs.inbox[known:])


def all_of(*checks: Where) -> Where:
    return lambda message: all(check(message) for check in checks)


def on_connector(connector: int) -> Where:
    return lambda message: message.connector_id == connector


def value(field: Any) -> str | None:
    """An enum field's wire value (None stays None)."""
    return getattr(field, "value", field)


def occupied_statuses(version: OcppVersion) -> tuple[str, ...]:
    """Statuses of a connector with a cable in and no transaction: 1.6 Preparing or
    Finishing, 1.5/1.2 Occupied."""
    return ("Preparing", "Finishing") if version is OcppVersion.V16 else ("Occupied",)


def charging_status(version: OcppVersion) -> str:
    return "Charging" if version is OcppVersion.V16 else "Occupied"


async def expect_status(cs: CentralSystemHarness, connector: int, statuses: Iterable[str], *,
                        where: Where | None = None, timeout: float = STATUS_TIMEOUT,
                        what: str | None = None) -> Received:
    """The next StatusNotification of ``connector`` (matching ``where``); FAIL unless its
    status is one of ``statuses``."""
    wanted = tuple(statuses)
    checks = (on_connector(connector),) + ((where,) if where else ())
    received = await cs.expect(Op.STATUS_NOTIFICATION, timeout=timeout, where=all_of(*checks),
                               what=what or f"StatusNotification for connector {connector}")
    got = value(received.message.status)
    if got not in wanted:
        raise CaseFailed(f"connector {connector} reported {got}; expected "
                         f"{' or '.join(wanted)}", evidence=(received.seq,))
    return received


async def expect_report(cs: CentralSystemHarness, connector: int, status: str, *,
                        since: Where, timeout: float = STATUS_TIMEOUT,
                        why: str = "") -> Received:
    """A StatusNotification reporting ``status`` for ``connector`` among the requests
    ``since`` admits (other reports in between are not judged here)."""
    return await cs.expect(
        Op.STATUS_NOTIFICATION, timeout=timeout,
        where=all_of(since, on_connector(connector), lambda m: value(m.status) == status),
        what=f"StatusNotification {status} for connector {connector}{why}")


async def expect_reported_after_boot(cs: CentralSystemHarness, boot: Received,
                                     connectors: int,
                                     expected: Callable[[int], tuple[str, ...]]) -> None:
    """After an accepted BootNotification the station reports every connector and
    connector 0; each first report must be one of ``expected(connector)``."""
    for connector in range(connectors + 1):
        await expect_status(cs, connector, expected(connector), where=after(cs, boot),
                            what=f"StatusNotification for connector {connector} after the "
                                 "BootNotification")


@dataclass(frozen=True)
class Charging:
    """A running transaction, as the Central System learnt it."""

    connector: int
    id_tag: str
    transaction_id: int
    meter_start: int
    start: Received


async def start_charging(cs: CentralSystemHarness, charge_point: ChargePointSut,
                         version: OcppVersion, connector: int = 1,
                         id_tag: str = ID_TAG) -> Charging:
    """OCTT reusable state Charging: cable in, idTag presented, StartTransaction accepted
    and the connector reported charging (1.6 Charging, 1.5/1.2 Occupied)."""
    since = from_now(cs)
    await charge_point.plug_in(connector)
    await charge_point.present_id_tag(id_tag, connector)
    start = await cs.expect(Op.START_TRANSACTION, timeout=TRANSACTION_TIMEOUT,
                            where=on_connector(connector),
                            what=f"StartTransaction on connector {connector}")
    await expect_report(cs, connector, charging_status(version), since=since)
    answer: Any = start.answer
    return Charging(connector, id_tag, answer.transaction_id, start.message.meter_start, start)


async def expect_stop(cs: CentralSystemHarness, charging: Charging, *, reason: str | None,
                      version: OcppVersion, timeout: float = TRANSACTION_TIMEOUT,
                      what: str = "StopTransaction") -> Received:
    """The StopTransaction of ``charging``: its transactionId, a meterStop not below the
    meterStart, and in 1.6 the given ``reason`` (None: not checked)."""
    stop = await cs.expect(Op.STOP_TRANSACTION, timeout=timeout,
                           where=lambda m: m.transaction_id == charging.transaction_id,
                           what=f"{what} for transaction {charging.transaction_id}")
    message = stop.message
    if message.meter_stop < charging.meter_start:
        raise CaseFailed(f"meterStop {message.meter_stop} is below the transaction's meterStart "
                         f"{charging.meter_start}", evidence=(charging.start.seq, stop.seq))
    if version is OcppVersion.V16 and reason is not None:
        got = value(message.reason)
        if got != reason:
            raise CaseFailed(f"StopTransaction reason is {got}; expected {reason}",
                             evidence=(stop.seq,))
    return stop


async def release_cable(cs: CentralSystemHarness, charge_point: ChargePointSut,
                        connector: int) -> None:
    """The driver takes the cable out after the transaction ended: the connector is
    Available again (OCTT's general post-condition)."""
    since = from_now(cs)
    await charge_point.unplug(connector)
    await expect_report(cs, connector, "Available", since=since, why=" once the cable is out")


def ordered(first: Received, second: Received, message: str) -> None:
    """FAIL with ``message`` unless ``first`` arrived before ``second``."""
    if first.seq > second.seq:
        raise CaseFailed(message, evidence=(second.seq, first.seq))
