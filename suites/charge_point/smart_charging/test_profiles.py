"""Central smart charging: TxDefaultProfile and TxProfile set by SetChargingProfile (1.6)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.pics import profile

from .steps import (
    CONNECTOR,
    FOREVER,
    Segment,
    amount,
    charging_profile,
    clear_profiles,
    expect_composite,
    expect_offered_at_most,
    meter_offered,
    profile_origin,
    rate_unit,
    seconds,
    set_profile,
    start_charging,
    stop_charging,
)

SMART = (profile("SmartCharging"),)
COMPOSITE_DURATION = 300  # s


@case(octt="TC_056_CS", title="Central Smart Charging - TxDefaultProfile", sut="charge-point",
      profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §5.16, §5.7"}, requires=SMART)
async def test_tx_default_profile(cs, charge_point, case_version):
    """A TxDefaultProfile set on a connector is the default for the transactions that start
    there afterwards: SetChargingProfile is Accepted, and once a transaction runs its
    composite schedule carries the profile's limit (a Relative profile counts from the
    transaction's start) and the charge point offers no more than that."""
    unit = await rate_unit(cs)
    measurand = await meter_offered(cs, unit)
    limit = amount(unit, 6)
    await set_profile(cs, CONNECTOR, charging_profile(
        561, "TxDefaultProfile", 0, [(0, limit)], unit=unit, kind="Relative"))
    charging = await start_charging(cs, charge_point)
    why = "the TxDefaultProfile 561 set before the transaction"
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        Segment(charging.started_at, charging.started_at + FOREVER, limit, why)],
        when="while a transaction started after the TxDefaultProfile runs")
    await expect_offered_at_most(cs, charging, measurand, limit, unit, why=why)
    await stop_charging(cs, charge_point, charging)


@case(octt="TC_057_CS", title="Central Smart Charging - TxProfile", sut="charge-point",
      profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §5.16, §5.7, §5.5"}, requires=SMART)
async def test_tx_profile(cs, charge_point, case_version):
    """A TxProfile naming the running transaction is Accepted and governs that transaction
    at once: the composite schedule follows its periods and the charge point offers no
    more than its limit. It lives only as long as the transaction: once the transaction
    has ended the profile is gone, so clearing it by id finds nothing (Unknown)."""
    unit = await rate_unit(cs)
    measurand = await meter_offered(cs, unit)
    charging = await start_charging(cs, charge_point)
    origin = profile_origin()
    first, then = amount(unit, 8), amount(unit, 10)
    await set_profile(cs, CONNECTOR, charging_profile(
        571, "TxProfile", 0, [(0, first), (120, then)], unit=unit, start=origin,
        duration=600, transaction_id=charging.transaction_id, valid_from=origin,
        valid_to=origin + seconds(600)))
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        Segment(origin, origin + seconds(120), first, "TxProfile 571, first period"),
        Segment(origin + seconds(120), origin + seconds(600), then,
                "TxProfile 571, second period")],
        when=f"with TxProfile 571 on transaction {charging.transaction_id}")
    await expect_offered_at_most(cs, charging, measurand, first, unit,
                                 why="the TxProfile 571")
    await stop_charging(cs, charge_point, charging)
    await clear_profiles(cs, id=571, expect="Unknown",
                         what="of TxProfile 571 after its transaction ended")


@case(octt="TC_058_1_CS", title="Central Smart Charging - No ongoing transaction",
      sut="charge-point", profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §5.16"}, requires=SMART)
async def test_tx_profile_without_transaction(cs, charge_point, case_version):
    """A TxProfile can only be set on a connector where a transaction runs; with none, the
    charge point discards it and answers Rejected (so it is not there to clear either)."""
    unit = await rate_unit(cs)
    await set_profile(cs, CONNECTOR, charging_profile(
        581, "TxProfile", 0, [(0, amount(unit, 6))], unit=unit, kind="Relative",
        transaction_id=4242), expect="Rejected")
    await clear_profiles(cs, id=581, expect="Unknown", what="of the rejected TxProfile 581")


@case(octt="TC_058_2_CS", title="Central Smart Charging - Wrong transactionId",
      sut="charge-point", profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §5.16"}, requires=SMART)
async def test_tx_profile_for_another_transaction(cs, charge_point, case_version):
    """A TxProfile whose transactionId is not the transaction running on the connector does
    not belong there: it is Rejected, not installed, and the running transaction keeps
    its limits."""
    unit = await rate_unit(cs)
    await meter_offered(cs, unit)
    charging = await start_charging(cs, charge_point)
    wrong = charging.transaction_id + 1000
    await set_profile(cs, CONNECTOR, charging_profile(
        582, "TxProfile", 0, [(0, amount(unit, 6))], unit=unit, kind="Relative",
        transaction_id=wrong), expect="Rejected")
    await clear_profiles(cs, id=582, expect="Unknown",
                         what=f"of TxProfile 582 (for transaction {wrong}), which was rejected")
    await stop_charging(cs, charge_point, charging)


@case(octt="TC_082_CS", title="Central Smart Charging - TxDefaultProfile - with ongoing "
      "transaction", sut="charge-point", profile="SmartCharging", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.13.1, §3.13.3, §5.16, §5.7"}, requires=SMART)
async def test_tx_default_profile_during_transaction(cs, charge_point, case_version):
    """After SetChargingProfile the charge point re-evaluates its profiles: a TxDefaultProfile
    set while a transaction without TxProfile runs on that connector governs the running
    transaction from then on, not only the next one. The composite schedule shows its
    limit and the charge point offers no more than that."""
    unit = await rate_unit(cs)
    measurand = await meter_offered(cs, unit)
    charging = await start_charging(cs, charge_point)
    origin = profile_origin()
    limit = amount(unit, 6)
    await set_profile(cs, CONNECTOR, charging_profile(
        821, "TxDefaultProfile", 0, [(0, limit)], unit=unit, start=origin))
    why = "the TxDefaultProfile 821 set during the transaction"
    await expect_composite(cs, CONNECTOR, COMPOSITE_DURATION, unit, [
        Segment(origin, origin + FOREVER, limit, why)],
        when=f"after TxDefaultProfile 821 was set during transaction {charging.transaction_id}")
    await expect_offered_at_most(cs, charging, measurand, limit, unit, why=why)
    await stop_charging(cs, charge_point, charging)
