"""Commands from the Central System: UnlockConnector, with and without a session, and what
the Central System does with each answer."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.versions import OcppVersion

from ..steps import (
    CONNECTOR,
    TAG,
    expect_command,
    no_repeat,
    require_field,
    start,
    status,
    still_served,
    stop,
)

SPEC = {"1.6": "OCPP 1.6 §5.18", "1.5": "OCPP 1.5 §5.14", "1.2": "OCPP 1.2 §5 UnlockConnector"}
SESSION_SPEC = {"1.6": "OCPP 1.6 §5.18, §4.10", "1.5": "OCPP 1.5 §5.14, §4.10",
                "1.2": "OCPP 1.2 §5 UnlockConnector, §4 StopTransaction"}


def refusal(version: OcppVersion, v16: str) -> str:
    """The refusing UnlockStatus of ``version``: 1.2 and 1.5 have only Rejected."""
    return v16 if version is OcppVersion.V16 else "Rejected"


async def unlock(central_system, cp, connector: int, why: str):
    await central_system.trigger(cp.identity, Op.UNLOCK_CONNECTOR, connectorId=connector)
    received = await expect_command(cp, Op.UNLOCK_CONNECTOR, why)
    require_field(received, "connectorId", received.message.connector_id, connector)
    return received


@case(octt="TC_017_1_CSMS", title="Unlock Connector – No Charging Session (Not fixed cable)",
      sut="central-system", profile="Core", spec=SPEC)
async def test_unlock_no_session(central_system, cp, case_version):
    """Asked to unlock a connector without a session, the Central System sends
    UnlockConnector naming that connector to this charge point; the charge point unlocks
    it and the Central System keeps serving it."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await unlock(central_system, cp, CONNECTOR, "unlock without a session")
    await still_served(cp)


@case(octt="TC_017_2_CSMS", title="Unlock Connector – No Charging Session (Fixed cable)",
      sut="central-system", profile="Core", spec=SPEC)
async def test_unlock_fixed_cable(central_system, cp, case_version):
    """A charge point with a fixed cable has no connector lock and answers the unlock
    NotSupported (1.2/1.5: Rejected). The answer is final: the Central System does not
    send the same UnlockConnector again and keeps serving the charge point."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    answer = refusal(case_version, "NotSupported")
    cp.answer(Op.UNLOCK_CONNECTOR, status=answer)
    await unlock(central_system, cp, CONNECTOR, "unlock of a fixed cable")
    await no_repeat(cp, Op.UNLOCK_CONNECTOR, answer)
    await still_served(cp)


@case(octt="TC_018_1_CSMS", title="Unlock Connector – With Charging Session",
      sut="central-system", profile="Core", spec=SESSION_SPEC)
async def test_unlock_with_session(central_system, cp, case_version):
    """Unlocking a connector with a transaction ongoing stops that transaction: the
    Central System sends UnlockConnector for the connector, and accepts the
    StopTransaction the charge point then sends (reason UnlockCommand in 1.6)."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    transaction_id = await start(cp)
    await status(cp, case_version, "charging")
    await unlock(central_system, cp, CONNECTOR, "unlock during a session")
    await stop(cp, case_version, transaction_id, reason="UnlockCommand")
    await status(cp, case_version, "idle")
    await still_served(cp)


@case(octt="TC_030_CSMS", title="Unlock Connector – Unlock Failure", sut="central-system",
      profile="Core", spec=SPEC)
async def test_unlock_failure(central_system, cp, case_version):
    """The connector cannot be unlocked: the charge point answers UnlockFailed (1.2/1.5:
    Rejected). The Central System takes the answer as final and keeps serving the
    charge point."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    answer = refusal(case_version, "UnlockFailed")
    cp.answer(Op.UNLOCK_CONNECTOR, status=answer)
    await unlock(central_system, cp, CONNECTOR, "unlock that fails")
    await no_repeat(cp, Op.UNLOCK_CONNECTOR, answer)
    await still_served(cp)


@case(octt="TC_031_CSMS", title="Unlock Connector – Unknown Connector", sut="central-system",
      profile="Core", spec=SPEC)
async def test_unlock_unknown_connector(central_system, cp, case_version):
    """Asked to unlock a connector the charge point does not have, the Central System
    sends UnlockConnector with exactly that connectorId; the charge point answers
    NotSupported (1.2/1.5: Rejected), and the Central System takes that as final."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    answer = refusal(case_version, "NotSupported")
    cp.answer(Op.UNLOCK_CONNECTOR, status=answer)
    await unlock(central_system, cp, 7, "unlock of an unknown connector")
    await no_repeat(cp, Op.UNLOCK_CONNECTOR, answer)
    await still_served(cp)
