"""RemoteStartTransaction carrying a charging profile (OCPP 1.6 §5.11, §5.16)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import profile
from ocppcert.verdicts import CaseFailed

from .steps import (
    CONNECTOR,
    FOREVER,
    ID_TAG,
    RELATIVE_BOUNDARY,
    Segment,
    amount,
    charging_profile,
    charging_started,
    expect_composite,
    expect_offered_at_most,
    meter_offered,
    rate_unit,
    seconds,
    stop_charging,
)

SMART = (profile("SmartCharging"),)
COMPOSITE_DURATION = 300  # s


@case(octt="TC_059_CS", title="Remote Start Transaction with Charging Profile",
      sut="charge-point", profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §5.11, §5.16, §3.13.1, §5.7"}, requires=SMART)
async def test_remote_start_with_profile(cs, charge_point, case_version):
    """A RemoteStartTransaction may carry a TxProfile for the transaction it starts. The
    charge point accepts it, starts the transaction, and the profile governs it: the
    composite schedule follows the profile's periods, counted (Relative) from the start
    of the transaction, and the charge point offers no more than the profile allows."""
    unit = await rate_unit(cs)
    measurand = await meter_offered(cs, unit)
    first, then = amount(unit, 6), amount(unit, 8)
    reply = await cs.command(
        Op.REMOTE_START_TRANSACTION, idTag=ID_TAG, connectorId=CONNECTOR,
        chargingProfile=charging_profile(591, "TxProfile", 0, [(0, first), (60, then)],
                                         unit=unit, kind="Relative"))
    if reply.status.value != "Accepted":
        raise CaseFailed(f"RemoteStartTransaction with a TxProfile answered "
                         f"{reply.status.value}, not Accepted")
    await charge_point.plug_in(CONNECTOR)
    charging = await charging_started(cs, CONNECTOR)
    begin = charging.started_at
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        Segment(begin, begin + seconds(60), first,
                "TxProfile 591 of the RemoteStartTransaction, first period",
                boundary=RELATIVE_BOUNDARY),
        Segment(begin + seconds(60), begin + FOREVER, then,
                "TxProfile 591, from 60 s after the transaction started",
                boundary=RELATIVE_BOUNDARY)],
        when=f"during transaction {charging.transaction_id}, started remotely with "
             f"TxProfile 591")
    await expect_offered_at_most(cs, charging, measurand, first, unit,
                                 why="the TxProfile 591 of the RemoteStartTransaction")
    await stop_charging(cs, charge_point, charging)


@case(octt="TC_060_CS", title="Remote Start Transaction with Charging Profile - Rejected",
      sut="charge-point", profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §5.11, §5.16"}, requires=SMART)
async def test_remote_start_with_wrong_profile(cs, charge_point, case_version):
    """The charging profile of a RemoteStartTransaction must have the purpose TxProfile. One
    with another purpose (here TxDefaultProfile) makes the request invalid: it is answered
    Rejected and no transaction starts, even with a cable in."""
    unit = await rate_unit(cs)
    await charge_point.plug_in(CONNECTOR)
    reply = await cs.command(
        Op.REMOTE_START_TRANSACTION, idTag=ID_TAG, connectorId=CONNECTOR,
        chargingProfile=charging_profile(601, "TxDefaultProfile", 0, [(0, amount(unit, 6))],
                                         unit=unit, kind="Relative"))
    if reply.status.value != "Rejected":
        raise CaseFailed(f"RemoteStartTransaction with a TxDefaultProfile answered "
                         f"{reply.status.value}, not Rejected")
    await cs.expect_none(Op.START_TRANSACTION, during=3,
                         why="after a RemoteStartTransaction the charge point rejected")
    await charge_point.unplug(CONNECTOR)
