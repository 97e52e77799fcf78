"""Commands from the Central System: RemoteStartTransaction and RemoteStopTransaction, and
the transactions they lead to."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op

from ..steps import (
    CONNECTOR,
    QUIET,
    TAG,
    TAG_2,
    expect_command,
    no_repeat,
    require_field,
    start,
    status,
    still_served,
    stop,
)

START_SPEC = {"1.6": "OCPP 1.6 §5.11, §4.8", "1.5": "OCPP 1.5 §5.9, §4.8",
              "1.2": "OCPP 1.2 §5 RemoteStartTransaction, §4 StartTransaction"}
STOP_SPEC = {"1.6": "OCPP 1.6 §5.12, §4.10", "1.5": "OCPP 1.5 §5.10, §4.10",
             "1.2": "OCPP 1.2 §5 RemoteStopTransaction, §4 StopTransaction"}


async def remote_start(central_system, cp, why: str):
    """Have the Central System send RemoteStartTransaction(TAG, connector 1) and check it."""
    await central_system.trigger(cp.identity, Op.REMOTE_START_TRANSACTION, idTag=TAG,
                                 connectorId=CONNECTOR)
    received = await expect_command(cp, Op.REMOTE_START_TRANSACTION, why)
    require_field(received, "idTag", received.message.id_tag, TAG)
    require_field(received, "connectorId", received.message.connector_id, CONNECTOR)
    return received


@case(octt="TC_010_CSMS", title="Remote Start Charging Session – Cable Plugged in First",
      sut="central-system", profile="Core", spec=START_SPEC)
async def test_remote_start_cable_first(central_system, cp, case_version):
    """With the cable already plugged in, the Central System is asked to start a charging
    session remotely: it sends RemoteStartTransaction to this charge point with the idTag
    and connector its operator chose, and accepts the StartTransaction that follows with a
    transactionId and the idTag Accepted."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    await remote_start(central_system, cp, "remote start with the cable plugged in")
    await start(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_011_1_CSMS", title="Remote Start Charging Session – Remote Start First",
      sut="central-system", profile="Core", spec=START_SPEC)
async def test_remote_start_first(central_system, cp, case_version):
    """The remote start comes before the cable: the Central System sends
    RemoteStartTransaction with the chosen idTag and connector; when the driver then plugs
    in, the charge point's StartTransaction is accepted with a transactionId."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await remote_start(central_system, cp, "remote start before the cable")
    await status(cp, case_version, "preparing")
    await start(cp)
    await status(cp, case_version, "charging")


@case(octt="TC_011_2_CSMS", title="Remote Start Charging Session – Time Out",
      sut="central-system", profile="Core", spec=START_SPEC)
async def test_remote_start_time_out(central_system, cp, case_version):
    """The remote start is accepted but no cable is plugged in before the connection
    timeout, so no transaction starts and the connector becomes available again. The
    Central System copes: it does not send the start again on its own, and it keeps
    serving the charge point."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await remote_start(central_system, cp, "remote start that times out")
    await status(cp, case_version, "idle")
    await cp.expect_none(Op.REMOTE_START_TRANSACTION, during=QUIET,
                         why="again although nobody asked for another remote start")
    await still_served(cp)


@case(octt="TC_026_CSMS", title="Remote Start Charging Session – Rejected",
      sut="central-system", profile="Core", spec=START_SPEC)
async def test_remote_start_rejected(central_system, cp, case_version):
    """The charge point rejects the remote start. The answer is final: the Central System
    does not send the same RemoteStartTransaction again and keeps serving the charge
    point."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    cp.answer(Op.REMOTE_START_TRANSACTION, status="Rejected")
    await remote_start(central_system, cp, "remote start to be rejected")
    await no_repeat(cp, Op.REMOTE_START_TRANSACTION, "Rejected")
    await still_served(cp)


async def two_sessions(central_system, cp, case_version) -> tuple[int, int]:
    """Transactions on connectors 1 (TAG) and 2 (TAG_2); the older one first."""
    await central_system.add_id_tag(TAG)
    await central_system.add_id_tag(TAG_2)
    await cp.boot_accepted()
    first = await start(cp, tag=TAG, connector=1)
    await status(cp, case_version, "charging", connector=1)
    second = await start(cp, tag=TAG_2, connector=2)
    await status(cp, case_version, "charging", connector=2)
    return first, second


async def remote_stop(central_system, cp, transaction_id: int, why: str):
    await central_system.trigger(cp.identity, Op.REMOTE_STOP_TRANSACTION,
                                 transactionId=transaction_id)
    received = await expect_command(cp, Op.REMOTE_STOP_TRANSACTION, why)
    require_field(received, "transactionId", received.message.transaction_id, transaction_id)
    return received


@case(octt="TC_012_CSMS", title="Remote Stop Charging Session", sut="central-system",
      profile="Core", spec=STOP_SPEC)
async def test_remote_stop(central_system, cp, case_version):
    """Two transactions run on the charge point; the Central System is asked to stop the
    older one. It sends RemoteStopTransaction naming exactly that transaction, and accepts
    the StopTransaction that follows (reason Remote in 1.6)."""
    first, _second = await two_sessions(central_system, cp, case_version)
    await remote_stop(central_system, cp, first, "stop of the first transaction")
    await status(cp, case_version, "finishing", connector=1)
    await stop(cp, case_version, first, tag=TAG, reason="Remote")
    await status(cp, case_version, "idle", connector=1)


@case(octt="TC_028_CSMS", title="Remote Stop Transaction – Rejected", sut="central-system",
      profile="Core", spec=STOP_SPEC)
async def test_remote_stop_rejected(central_system, cp, case_version):
    """The charge point rejects the remote stop of the transaction named. The answer is
    final: the Central System does not send it again, and it still accepts the
    transaction's own StopTransaction when the driver ends it later."""
    first, _second = await two_sessions(central_system, cp, case_version)
    cp.answer(Op.REMOTE_STOP_TRANSACTION, status="Rejected")
    await remote_stop(central_system, cp, first, "stop to be rejected")
    await no_repeat(cp, Op.REMOTE_STOP_TRANSACTION, "Rejected")
    await stop(cp, case_version, first, tag=TAG, reason="Local")
