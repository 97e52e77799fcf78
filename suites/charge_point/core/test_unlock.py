"""UnlockConnector: the Central System asks the charge point to release a cable."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, fixed_cable
from ocppcert.roles.central_system import CentralSystemHarness
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .power_steps import (
    expect_report,
    expect_stop,
    from_now,
    release_cable,
    start_charging,
)

SPEC = {"1.6": "OCPP 1.6 §5.18 (UnlockConnector)", "1.5": "OCPP 1.5 §5.14 (UnlockConnector)",
        "1.2": "OCPP 1.2 §5 UnlockConnector"}
CONNECTOR = 1
STILL_RUNNING = 3  # s: how long a refused unlock must leave the transaction running


def unlocked(version: OcppVersion) -> str:
    return "Unlocked" if version is OcppVersion.V16 else "Accepted"


def not_supported(version: OcppVersion) -> str:
    # 1.2 and 1.5 answer only Accepted or Rejected
    return "NotSupported" if version is OcppVersion.V16 else "Rejected"


def unlock_failed(version: OcppVersion) -> str:
    return "UnlockFailed" if version is OcppVersion.V16 else "Rejected"


async def unlock(cs: CentralSystemHarness, expected: str, why: str) -> None:
    reply = await cs.command(Op.UNLOCK_CONNECTOR, connectorId=CONNECTOR)
    if reply.status.value != expected:
        raise CaseFailed(f"UnlockConnector of connector {CONNECTOR} answered "
                         f"{reply.status.value}; expected {expected} ({why})")


@case(octt="TC_017_1_CS", title="Unlock connector - no charging session (Not fixed cable)",
      sut="charge-point", profile="Core", spec=SPEC, requires=(fixed_cable(False),))
async def test_unlock_without_transaction(cs, charge_point, case_version):
    """A charge point with sockets unlocks a connector on request and says so: 1.6
    answers Unlocked, 1.5 and 1.2 Accepted."""
    await unlock(cs, unlocked(case_version), "the socket can be unlocked")


@case(octt="TC_017_2_CS", title="Unlock connector - no charging session (Fixed cable)",
      sut="charge-point", profile="Core", spec=SPEC, requires=(fixed_cable(True),))
async def test_unlock_fixed_cable(cs, charge_point, case_version):
    """A charge point with a fixed cable has no cable lock to release: 1.6 answers
    NotSupported, 1.5 and 1.2 (whose answer is Accepted or Rejected) Rejected."""
    await unlock(cs, not_supported(case_version), "a fixed cable cannot be unlocked")


@case(octt="TC_018_1_CS", title="Unlock Connector - With Charging Session (Not fixed cable)",
      sut="charge-point", profile="Core", spec=SPEC, requires=(fixed_cable(False),))
async def test_unlock_with_transaction(cs, charge_point, case_version):
    """Unlocking a connector with a transaction in progress first ends that transaction
    as a normal stop (StopTransaction, 1.6 reason UnlockCommand, 1.6 status Finishing),
    then unlocks (1.6 Unlocked, 1.5/1.2 Accepted). When the cable is taken out the
    connector is Available again."""
    charging = await start_charging(cs, charge_point, case_version)
    since = from_now(cs)
    await unlock(cs, unlocked(case_version), "the socket can be unlocked")
    await expect_stop(cs, charging, reason="UnlockCommand", version=case_version)
    if case_version is OcppVersion.V16:
        await expect_report(cs, CONNECTOR, "Finishing", since=since,
                            why=" after the transaction was stopped")
    await release_cable(cs, charge_point, CONNECTOR)


@case(octt="TC_018_2_CS", title="Unlock Connector - With Charging Session (Fixed cable)",
      sut="charge-point", profile="Core", spec=SPEC, requires=(fixed_cable(True),))
async def test_unlock_fixed_cable_with_transaction(cs, charge_point, case_version):
    """With a fixed cable, unlocking is not supported even while a transaction runs
    (1.6 NotSupported, 1.5/1.2 Rejected), and the refused request leaves the transaction
    running: it still ends only when the driver stops it."""
    charging = await start_charging(cs, charge_point, case_version)
    await unlock(cs, not_supported(case_version), "a fixed cable cannot be unlocked")
    await cs.expect_none(Op.STOP_TRANSACTION, during=STILL_RUNNING,
                         why="after an UnlockConnector the charge point refused; the "
                             "transaction should have gone on")
    await charge_point.present_id_tag(charging.id_tag, CONNECTOR)
    await expect_stop(cs, charging, reason=None, version=case_version,
                      what="StopTransaction when the driver presents the idTag again")


@case(octt="TC_030_CS", title="Unlock Connector - Unlock Failure", sut="charge-point",
      profile="Core", spec=SPEC, requires=(fixed_cable(False), feature("lock_failure")))
async def test_unlock_failure(cs, charge_point, case_version):
    """When the connector's lock fails to open, the answer says so: 1.6 UnlockFailed,
    1.5/1.2 Rejected. Once the lock works again the same request succeeds."""
    await charge_point.lock_failure(CONNECTOR)
    await unlock(cs, unlock_failed(case_version), "the lock did not open")
    await charge_point.lock_failure(CONNECTOR, failing=False)
    await unlock(cs, unlocked(case_version), "the lock works again")
