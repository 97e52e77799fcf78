"""Power failures: what a charge point reports when its power goes and comes back."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, no_feature
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

SPEC_POWER_LOSS = {"1.6": "OCPP 1.6 §4.10 (StopTransaction, reason PowerLoss)",
                   "1.5": "OCPP 1.5 §4.10 (StopTransaction)",
                   "1.2": "OCPP 1.2 §4 StopTransaction"}
SPEC_AVAILABILITY = {"1.6": "OCPP 1.6 §5.2 (ChangeAvailability)",
                     "1.5": "OCPP 1.5 §5.2 (ChangeAvailability)",
                     "1.2": "OCPP 1.2 §5 ChangeAvailability"}


def after_power_loss(version: OcppVersion, charged: int):
    """After the power returns: the connector of the ended transaction still has its
    cable in, the others (and connector 0) are Available."""
    return lambda c: occupied_statuses(version) if c == charged else ("Available",)


@case(octt="TC_032_1_CS",
      title="Power failure boot - configured to stop transaction(s) before going down",
      sut="charge-point", profile="Core", spec=SPEC_POWER_LOSS,
      requires=(feature("backup_power"),))
async def test_power_failure_stops_before_going_down(cs, charge_point, case_version, pics):
    """A charge point with a backup power source that loses its mains ends its running
    transactions while it still can: StopTransaction (1.6 reason PowerLoss) is sent
    after the power goes and before it comes back. When the power returns it boots again
    and reports every connector and connector 0."""
    charging = await start_charging(cs, charge_point, case_version)
    await charge_point.power_cut()
    stop = await expect_stop(cs, charging, reason="PowerLoss", version=case_version,
                             what="StopTransaction on backup power")
    power_back = from_now(cs)
    await charge_point.power_restore()
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT, where=power_back,
                           what="a BootNotification when the power is back")
    ordered(stop, boot, "the transaction was stopped only after the power came back")
    await expect_reported_after_boot(cs, boot, pics.connectors,
                                     after_power_loss(case_version, charging.connector))
    again = [r for r in cs.seen(Op.STOP_TRANSACTION) if r is not stop
             and r.message.transaction_id == charging.transaction_id]
    if again:
        raise CaseFailed("the transaction was reported stopped twice",
                         evidence=(stop.seq, again[0].seq))
    await release_cable(cs, charge_point, charging.connector)


@case(octt="TC_032_2_CS",
      title="Power failure boot - configured to stop transaction(s) after going down",
      sut="charge-point", profile="Core", spec=SPEC_POWER_LOSS,
      requires=(no_feature("backup_power"),))
async def test_power_failure_stops_after_coming_back(cs, charge_point, case_version, pics):
    """A charge point without backup power dies at once when the power goes. When it
    comes back it boots, reports every connector and connector 0, and reports the
    transaction the power cut off as stopped (1.6 reason PowerLoss), with a meterStop
    not below its meterStart."""
    charging = await start_charging(cs, charge_point, case_version)
    await charge_point.power_cut()
    power_back = from_now(cs)
    await charge_point.power_restore()
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT, where=power_back,
                           what="a BootNotification when the power is back")
    await expect_reported_after_boot(cs, boot, pics.connectors,
                                     after_power_loss(case_version, charging.connector))
    await expect_stop(cs, charging, reason="PowerLoss", version=case_version,
                      what="StopTransaction of the transaction the power cut off")
    await release_cable(cs, charge_point, charging.connector)


@case(octt="TC_034_CS", title="Power Failure with Unavailable Status", sut="charge-point",
      profile="Core", spec=SPEC_AVAILABILITY)
async def test_power_failure_keeps_unavailable(cs, charge_point, case_version, pics):
    """An availability set with ChangeAvailability persists across a power failure: the
    charge point made Inoperative (connector 0) reports itself and every connector
    Unavailable, and after the power returns it boots and reports them all Unavailable
    again. Operative makes them Available."""
    since = from_now(cs)
    reply = await cs.command(Op.CHANGE_AVAILABILITY, connectorId=0, type="Inoperative")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeAvailability Inoperative of the charge point answered "
                         f"{reply.status.value}, not Accepted")
    for connector in range(pics.connectors + 1):
        await expect_report(cs, connector, "Unavailable", since=since)
    power_back = from_now(cs)
    await charge_point.power_cycle()
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=REBOOT_TIMEOUT, where=power_back,
                           what="a BootNotification after the power failure")
    await expect_reported_after_boot(cs, boot, pics.connectors, lambda c: ("Unavailable",))
    since = from_now(cs)
    reply = await cs.command(Op.CHANGE_AVAILABILITY, connectorId=0, type="Operative")
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeAvailability Operative of the charge point answered "
                         f"{reply.status.value}, not Accepted")
    for connector in range(pics.connectors + 1):
        await expect_report(cs, connector, "Available", since=since,
                            why=" once the charge point is Operative again")
