"""Reset: the Central System restarts the charge point, hard or soft."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import Pics
from ocppcert.roles.central_system import CentralSystemHarness
from ocppcert.sut.base import ChargePointSut
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .power_steps import (
    REBOOT_TIMEOUT,
    expect_report,
    expect_reported_after_boot,
    expect_stop,
    from_now,
    occupied_statuses,
    ordered,
    release_cable,
    start_charging,
)

SPEC = {"1.6": "OCPP 1.6 §5.14 (Reset)", "1.5": "OCPP 1.5 §5.12 (Reset)",
        "1.2": "OCPP 1.2 §5 Reset"}
INOPERATIVE = 1  # the connector taken out of service before the reset


async def reset(cs: CentralSystemHarness, kind: str) -> None:
    reply = await cs.command(Op.RESET, type=kind)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"Reset {kind} answered {reply.status.value}, not Accepted")


async def reset_keeps_availability(cs: CentralSystemHarness, pics: Pics, kind: str) -> None:
    """Connector 1 Inoperative, then a reset of ``kind``: a new BootNotification, every
    connector reported, connector 1 still Unavailable; Operative brings it back."""
    since = from_now(cs)
    reply = await cs.command(Op.CHANGE_AVAILABILITY, connectorId=INOPERATIVE, type="Inoperative")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeAvailability Inoperative of connector {INOPERATIVE} answered "
                         f"{reply.status.value}, not Accepted")
    await expect_report(cs, INOPERATIVE, "Unavailable", since=since)
    await reset(cs, kind)
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT,
                           what=f"a BootNotification after the {kind} reset")
    await expect_reported_after_boot(
        cs, boot, pics.connectors,
        lambda c: ("Unavailable",) if c == INOPERATIVE else ("Available",))
    since = from_now(cs)
    reply = await cs.command(Op.CHANGE_AVAILABILITY, connectorId=INOPERATIVE, type="Operative")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeAvailability Operative of connector {INOPERATIVE} answered "
                         f"{reply.status.value}, not Accepted")
    await expect_report(cs, INOPERATIVE, "Available", since=since,
                        why=" once it is Operative again")


@case(octt="TC_013_CS", title="Hard Reset Without transaction", sut="charge-point",
      profile="Core", spec=SPEC)
async def test_hard_reset_without_transaction(cs, charge_point, case_version, pics):
    """A Reset of type Hard is answered Accepted and the charge point restarts: it sends
    a new BootNotification and, once accepted, the status of every connector and of
    connector 0. The availability the Central System set survives the restart: a
    connector made Inoperative before the reset is reported Unavailable after it."""
    await reset_keeps_availability(cs, pics, "Hard")


@case(octt="TC_014_CS", title="Soft Reset Without Transaction", sut="charge-point",
      profile="Core", spec=SPEC)
async def test_soft_reset_without_transaction(cs, charge_point, case_version, pics):
    """A Reset of type Soft is answered Accepted and the charge point restarts its
    application: a new BootNotification, then the status of every connector and of
    connector 0; a connector made Inoperative before the reset is still Unavailable."""
    await reset_keeps_availability(cs, pics, "Soft")


def after_reset(version: OcppVersion, charged: int):
    """What each connector may report after a reset that ended the transaction on
    ``charged``: its cable is still in there, the others are free."""
    return lambda c: occupied_statuses(version) if c == charged else ("Available",)


@case(octt="TC_015_CS", title="Hard Reset With Transaction", sut="charge-point",
      profile="Core", spec=SPEC)
async def test_hard_reset_with_transaction(cs, charge_point: ChargePointSut, case_version,
                                           pics):
    """A hard reset need not end a running transaction gracefully, but the transaction
    is over: the charge point restarts (new BootNotification) and sends StopTransaction
    for it, before the restart or after the new boot is accepted (1.6 reason HardReset).
    After the boot it reports every connector and connector 0."""
    charging = await start_charging(cs, charge_point, case_version)
    await reset(cs, "Hard")
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT,
                           what="a BootNotification after the hard reset")
    await expect_stop(cs, charging, reason="HardReset", version=case_version)
    await expect_reported_after_boot(cs, boot, pics.connectors,
                                     after_reset(case_version, charging.connector))
    await release_cable(cs, charge_point, charging.connector)


@case(octt="TC_016_CS", title="Soft Reset With Transaction", sut="charge-point",
      profile="Core", spec=SPEC)
async def test_soft_reset_with_transaction(cs, charge_point: ChargePointSut, case_version,
                                           pics):
    """A soft reset ends running transactions gracefully before the restart: the
    StopTransaction (1.6 reason SoftReset) is sent before the new BootNotification, in
    1.6 followed by the connector's Finishing status. After the boot every connector and
    connector 0 is reported."""
    charging = await start_charging(cs, charge_point, case_version)
    since_reset = from_now(cs)
    await reset(cs, "Soft")
    stop = await expect_stop(cs, charging, reason="SoftReset", version=case_version,
                             timeout=REBOOT_TIMEOUT)
    if case_version is OcppVersion.V16:
        # Finishing and StopTransaction may come in either order (OCTT §1.2)
        finishing = await expect_report(cs, charging.connector, "Finishing",
                                        since=since_reset)
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT,
                           what="a BootNotification after the soft reset")
    ordered(stop, boot, "the transaction was stopped only after the restart; a soft reset "
                        "stops it gracefully before restarting")
    if case_version is OcppVersion.V16:
        ordered(finishing, boot, "Finishing was reported only after the restart; the "
                                 "transaction's end belongs before a soft reset's restart")
    await expect_reported_after_boot(cs, boot, pics.connectors,
                                     after_reset(case_version, charging.connector))
    await release_cable(cs, charge_point, charging.connector)
