"""Smart charging (OCPP 1.6 only): the Central System sends the charging profiles,
composite-schedule requests and clear requests its operator asks for, exactly as asked,
and copes with the answers."""

from __future__ import annotations

from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from ..steps import (
    CONNECTOR,
    TAG,
    expect_command,
    start,
    status,
    still_served,
    stop,
)

VERSIONS = ("1.6",)
PROFILE_ID = 301
SET_SPEC = {"1.6": "OCPP 1.6 §5.16, §3.13"}


def profile(purpose: str, *, transaction_id: int | None = None, stack_level: int = 2,
            limit: float = 16.0) -> dict[str, Any]:
    """A charging profile as its operator asks for it (OCPP-J fields)."""
    chosen: dict[str, Any] = {
        "chargingProfileId": PROFILE_ID, "stackLevel": stack_level,
        "chargingProfilePurpose": purpose, "chargingProfileKind": "Relative",
        "chargingSchedule": {"duration": 3600, "chargingRateUnit": "A",
                             "chargingSchedulePeriod": [
                                 {"startPeriod": 0, "limit": limit, "numberPhases": 3},
                                 {"startPeriod": 1800, "limit": limit / 2}]}}
    if transaction_id is not None:
        chosen["transactionId"] = transaction_id
    return chosen


async def command_as_asked(central_system: Any, cp: Any, op: Op, why: str,
                           **asked: Any) -> Any:
    """Have the Central System send ``op`` with the ``asked`` fields; what reaches the
    charge point must be exactly that request, field by field."""
    await central_system.trigger(cp.identity, op, **asked)
    received = await expect_command(cp, op, why)
    wanted = type(received.message).from_json(dict(asked)).to_json()
    got = received.message.to_json()
    if got != wanted:
        differ = sorted(k for k in set(got) | set(wanted) if got.get(k) != wanted.get(k))
        raise CaseFailed(f"{op.value} differs from what its operator asked in {differ}: "
                         f"sent {[got.get(k) for k in differ]}, asked "
                         f"{[wanted.get(k) for k in differ]}", evidence=(received.seq,))
    return received


@case(octt="TC_056_CSMS", title="Central Smart Charging - TxDefaultProfile",
      sut="central-system", profile="SmartCharging", versions=VERSIONS, spec=SET_SPEC)
async def test_tx_default_profile(central_system, cp, case_version):
    """The Central System sets a default profile for new transactions on connector 1: its
    SetChargingProfile carries the connector, profile id, stack level, purpose
    TxDefaultProfile, kind and schedule its operator chose. The charge point accepts; a
    transaction then starts and is accepted as usual."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await command_as_asked(central_system, cp, Op.SET_CHARGING_PROFILE, "TxDefaultProfile",
                           connectorId=CONNECTOR,
                           csChargingProfiles=profile("TxDefaultProfile"))
    await status(cp, case_version, "preparing")
    await start(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_057_CSMS", title="Central Smart Charging - TxProfile",
      sut="central-system", profile="SmartCharging", versions=VERSIONS, spec=SET_SPEC)
async def test_tx_profile(central_system, cp, case_version):
    """During a transaction the Central System limits it with a TxProfile: the
    SetChargingProfile names the connector and the running transaction's id, with the
    stack level and schedule its operator chose. The transaction then stops normally."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "preparing")
    transaction_id = await start(cp)
    await status(cp, case_version, "charging")
    await command_as_asked(central_system, cp, Op.SET_CHARGING_PROFILE, "TxProfile",
                           connectorId=CONNECTOR,
                           csChargingProfiles=profile("TxProfile",
                                                      transaction_id=transaction_id))
    await stop(cp, case_version, transaction_id, reason="Local")


@case(octt="TC_059_CSMS", title="Remote Start Transaction with Charging Profile",
      sut="central-system", profile="SmartCharging", versions=VERSIONS,
      spec={"1.6": "OCPP 1.6 §5.11, §3.13.3"})
async def test_remote_start_with_profile(central_system, cp, case_version):
    """The Central System starts a transaction remotely and gives it a TxProfile in the
    same RemoteStartTransaction (without a transactionId, which does not exist yet). The
    request carries the idTag, connector and profile its operator chose, and the
    StartTransaction that follows is accepted."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "preparing")
    await command_as_asked(central_system, cp, Op.REMOTE_START_TRANSACTION,
                           "remote start with a profile", connectorId=CONNECTOR, idTag=TAG,
                           chargingProfile=profile("TxProfile", stack_level=1))
    await start(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_066_CSMS", title="Get Composite Schedule", sut="central-system",
      profile="SmartCharging", versions=VERSIONS, spec={"1.6": "OCPP 1.6 §5.7, §3.13.4"})
async def test_get_composite_schedule(central_system, cp, case_version):
    """The Central System asks for the composite schedule of connector 1 over the
    duration and in the rate unit its operator chose, accepts the schedule the charge
    point reports, and keeps serving it."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    cp.answer(Op.GET_COMPOSITE_SCHEDULE, {
        "status": "Accepted", "connectorId": CONNECTOR, "scheduleStart": "2026-01-01T00:00:00Z",
        "chargingSchedule": {"duration": 600, "chargingRateUnit": "W",
                             "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000}]}})
    await command_as_asked(central_system, cp, Op.GET_COMPOSITE_SCHEDULE,
                           "composite schedule", connectorId=CONNECTOR, duration=600,
                           chargingRateUnit="W")
    await still_served(cp)


@case(octt="TC_067_CSMS", title="Clear Charging Profile", sut="central-system",
      profile="SmartCharging", versions=VERSIONS, spec={"1.6": "OCPP 1.6 §5.5, §3.13"})
async def test_clear_charging_profile(central_system, cp, case_version):
    """After setting a profile, the Central System clears exactly that one: its
    ClearChargingProfile names the profile id its operator chose (not every profile on
    the charge point)."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await command_as_asked(central_system, cp, Op.SET_CHARGING_PROFILE, "TxDefaultProfile",
                           connectorId=CONNECTOR,
                           csChargingProfiles=profile("TxDefaultProfile"))
    await command_as_asked(central_system, cp, Op.CLEAR_CHARGING_PROFILE,
                           "clear of that profile", id=PROFILE_ID)
    await still_served(cp)
