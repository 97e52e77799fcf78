"""Composite schedules: how profiles of several purposes and stack levels add up, and how
ClearChargingProfile takes them away (OCPP 1.6)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.pics import profile, smart_charging_capacity

from .steps import (
    CONNECTOR,
    FOREVER,
    Segment,
    amount,
    charging_profile,
    clear_profiles,
    expect_composite,
    meter_offered,
    profile_origin,
    rate_unit,
    require_capacity,
    seconds,
    set_profile,
    start_charging,
    stop_charging,
)

SMART = (profile("SmartCharging"),)
COMPOSITE_DURATION = 400  # s, as OCTT asks


@case(octt="TC_066_CS", title="Get Composite Schedule", sut="charge-point",
      profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §3.13.3, §5.7, §5.16"},
      requires=(*SMART, smart_charging_capacity(profiles=3, periods=5)))
async def test_composite_schedule(cs, charge_point, case_version):
    """GetCompositeSchedule reports the limits that will apply on the connector from now for
    the requested duration, in the requested unit. During a transaction, a TxProfile
    overrules the TxDefaultProfile while its schedule lasts, the TxDefaultProfile applies
    after it, and the ChargePointMaxProfile caps whichever applies. With one profile of
    each purpose installed, the composite must be exactly that, period by period."""
    await require_capacity(cs, profiles=3, periods=5)
    unit = await rate_unit(cs)
    await meter_offered(cs, unit)
    charging = await start_charging(cs, charge_point)
    origin = profile_origin()

    def a(amperes: int):
        return amount(unit, amperes)

    await set_profile(cs, 0, charging_profile(
        661, "ChargePointMaxProfile", 0, [(0, a(10))], unit=unit, start=origin,
        duration=86400))
    await set_profile(cs, CONNECTOR, charging_profile(
        662, "TxDefaultProfile", 0,
        [(0, a(6)), (160, a(7)), (220, a(9)), (280, a(14)), (340, a(8))],
        unit=unit, start=origin))
    await set_profile(cs, CONNECTOR, charging_profile(
        663, "TxProfile", 0, [(0, a(8)), (60, a(12)), (120, a(7))], unit=unit, start=origin,
        duration=150, transaction_id=charging.transaction_id))

    def at(begin: int, end: int | None, amperes: int, why: str) -> Segment:
        stop = origin + (seconds(end) if end is not None else FOREVER)
        return Segment(origin + seconds(begin), stop, a(amperes), why)

    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        at(0, 60, 8, "TxProfile 663 (8), under ChargePointMaxProfile 661 (10)"),
        at(60, 120, 10, "TxProfile 663 (12), capped by ChargePointMaxProfile 661 (10)"),
        at(120, 150, 7, "TxProfile 663 (7)"),
        at(150, 160, 6, "TxProfile 663 has ended: TxDefaultProfile 662 (6)"),
        at(160, 220, 7, "TxDefaultProfile 662 (7)"),
        at(220, 280, 9, "TxDefaultProfile 662 (9)"),
        at(280, 340, 10, "TxDefaultProfile 662 (14), capped by ChargePointMaxProfile 661 (10)"),
        at(340, None, 8, "TxDefaultProfile 662 (8)"),
    ], when="with a ChargePointMaxProfile, a TxDefaultProfile and a TxProfile installed")
    await stop_charging(cs, charge_point, charging)


@case(octt="TC_067_CS", title="Clear Charging Profile", sut="charge-point",
      profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §5.5, §3.13.2, §5.7"},
      requires=(*SMART, smart_charging_capacity(profiles=3, periods=3, stack_level=2)))
async def test_clear_charging_profile(cs, charge_point, case_version):
    """ClearChargingProfile removes the profile with the given id, or else every profile
    that matches all the criteria given (connectorId, purpose, stackLevel), or with none
    given every profile; it answers Accepted when it removed something and Unknown when
    nothing matched. What is removed no longer counts in the composite schedule; what
    does not match stays."""
    await require_capacity(cs, profiles=3, periods=3, stack_level=2)
    unit = await rate_unit(cs)
    origin = profile_origin()

    def a(amperes: int):
        return amount(unit, amperes)

    await clear_profiles(cs, id=679, expect="Unknown", what="of an id never installed")
    await set_profile(cs, CONNECTOR, charging_profile(
        671, "TxDefaultProfile", 1, [(0, a(6)), (60, a(8)), (200, a(10))], unit=unit,
        start=origin, duration=1000))
    await set_profile(cs, CONNECTOR, charging_profile(
        672, "TxDefaultProfile", 2, [(0, a(7))], unit=unit, start=origin, duration=86400))
    await set_profile(cs, 0, charging_profile(
        673, "ChargePointMaxProfile", 1, [(0, a(9))], unit=unit, start=origin,
        duration=86400))

    def at(begin: int, end: int | None, amperes: int, why: str) -> Segment:
        stop = origin + (seconds(end) if end is not None else FOREVER)
        return Segment(origin + seconds(begin), stop, a(amperes), why)

    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        at(0, None, 7, "TxDefaultProfile 672 (7) has the higher stackLevel")],
        when="with TxDefaultProfiles 671 and 672 and ChargePointMaxProfile 673")

    await clear_profiles(cs, id=672, expect="Accepted", what="of TxDefaultProfile 672 by id")
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        at(0, 60, 6, "TxDefaultProfile 671 (6), now 672 is cleared"),
        at(60, 200, 8, "TxDefaultProfile 671 (8)"),
        at(200, 1000, 9, "TxDefaultProfile 671 (10), capped by ChargePointMaxProfile 673 (9)")],
        when="after TxDefaultProfile 672 was cleared by id")

    await clear_profiles(cs, connectorId=CONNECTOR, chargingProfilePurpose="TxDefaultProfile",
                         stackLevel=1, expect="Accepted",
                         what="of connector 1, TxDefaultProfile, stackLevel 1")
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        at(0, None, 9, "only ChargePointMaxProfile 673 (9) is left; it matched only one "
                       "of the criteria (stackLevel 1)")],
        when="after clearing connector 1's TxDefaultProfile of stackLevel 1")

    await clear_profiles(cs, expect="Accepted", what="without criteria (all profiles)")
    await clear_profiles(cs, id=673, expect="Unknown",
                         what="of ChargePointMaxProfile 673 after every profile was cleared")


@case(octt="TC_072_CS", title="Stacking Charging Profiles", sut="charge-point",
      profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.2, §5.7, §5.16"},
      requires=(*SMART, smart_charging_capacity(profiles=2, periods=3, stack_level=1)))
async def test_stacking_charging_profiles(cs, charge_point, case_version):
    """Profiles of one purpose on one connector stack: at each moment the valid profile
    with the highest stackLevel prevails, whatever the order they were set in; when its
    schedule ends, the one below applies again."""
    await require_capacity(cs, profiles=2, periods=3, stack_level=1)
    unit = await rate_unit(cs)
    origin = profile_origin()

    def a(amperes: int):
        return amount(unit, amperes)

    await set_profile(cs, CONNECTOR, charging_profile(
        722, "TxDefaultProfile", 1, [(0, a(9))], unit=unit, start=origin, duration=150,
        valid_from=origin, valid_to=origin + seconds(441)))
    await set_profile(cs, CONNECTOR, charging_profile(
        721, "TxDefaultProfile", 0, [(0, a(6)), (100, a(8)), (200, a(10))], unit=unit,
        start=origin, duration=440, valid_from=origin, valid_to=origin + seconds(441)))

    def at(begin: int, end: int, amperes: int, why: str) -> Segment:
        return Segment(origin + seconds(begin), origin + seconds(end), a(amperes), why)

    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        at(0, 150, 9, "TxDefaultProfile 722 (stackLevel 1) prevails over 721 (stackLevel 0)"),
        at(150, 200, 8, "722's schedule has ended: TxDefaultProfile 721 (8)"),
        at(200, 440, 10, "TxDefaultProfile 721 (10)")],
        when="with TxDefaultProfiles 721 (stackLevel 0) and 722 (stackLevel 1)")
