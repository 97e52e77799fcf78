"""Charging sessions against the Central System: starting, metering and stopping a
transaction, in the orders a charge point may take (OCTT §3.2, §3.11)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ..steps import (
    TAG,
    authorize,
    meter_values,
    require_tag_free,
    start,
    status,
    stop,
)

SESSION_SPEC = {"1.6": "OCPP 1.6 §4.1, §4.8, §4.10", "1.5": "OCPP 1.5 §4.1, §4.8, §4.10",
                "1.2": "OCPP 1.2 §4 Authorize, StartTransaction, StopTransaction"}


@case(octt="TC_003_CSMS", title="Regular Charging Session - Plugin First",
      sut="central-system", profile="Core", spec=SESSION_SPEC)
async def test_plugin_first(central_system, cp, case_version):
    """The driver plugs in first, then presents a valid idTag. The Central System
    authorises the tag (Accepted), accepts the StartTransaction with idTagInfo Accepted
    and a transactionId, takes the transaction's meter values, and accepts the
    StopTransaction that carries the end reading (idTagInfo of the stopping tag Accepted:
    the tag is valid, its own transaction does not make it ConcurrentTx). Afterwards the
    tag is free for a new transaction."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    await authorize(cp)
    tx = await start(cp, meter_start=1000)
    await status(cp, case_version, "charging")
    await meter_values(cp, case_version, tx, 2500)
    await stop(cp, case_version, tx, meter_stop=4000,
               reason="Local" if case_version is OcppVersion.V16 else None)
    await status(cp, case_version, "finishing")
    await status(cp, case_version, "idle")
    await require_tag_free(cp, TAG, f"transaction {tx} stopped")


@case(octt="TC_004_1_CSMS", title="Regular Charging Session - Identification First",
      sut="central-system", profile="Core", spec=SESSION_SPEC)
async def test_identification_first(central_system, cp, case_version):
    """The driver presents a valid idTag first and plugs in afterwards. The Authorize is
    answered Accepted, and the StartTransaction that follows with the same idTag is
    answered Accepted with a transactionId: an authorisation is not a transaction, so it
    must not make the tag ConcurrentTx. The session then stops normally."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await authorize(cp)
    await status(cp, case_version, "preparing")
    tx = await start(cp, meter_start=0)
    await status(cp, case_version, "charging")
    await stop(cp, case_version, tx, meter_stop=3000)
    await status(cp, case_version, "idle")


@case(octt="TC_004_2_CSMS",
      title="Regular Charging Session - Identification First - ConnectionTimeOut",
      sut="central-system", profile="Core", spec=SESSION_SPEC)
async def test_identification_first_timeout(central_system, cp, case_version):
    """A valid idTag is authorised, but no cable is plugged in before ConnectionTimeOut,
    so no transaction starts and the connector goes back to Available. The Central System
    must cope with an Authorize never followed by a transaction: the tag is not left
    reserved or 'in a transaction', so the next Authorize of it is Accepted again and a
    later StartTransaction with it is accepted."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await authorize(cp)
    if case_version is OcppVersion.V16:
        await status(cp, case_version, "preparing")
    await status(cp, case_version, "idle")  # ConnectionTimeOut expired: back to Available
    reply = await cp.send(Op.AUTHORIZE, idTag=TAG)
    got = reply.id_tag_info.status.value
    if got != "Accepted":
        raise CaseFailed(f"after an authorisation that timed out without a transaction, "
                         f"Authorize of {TAG} is answered {got}, not Accepted",
                         evidence=(cp.recorder.last_seq,))
    await status(cp, case_version, "preparing")
    tx = await start(cp)
    await stop(cp, case_version, tx)


@case(octt="TC_005_1_CSMS", title="EV Side Disconnected", sut="central-system",
      profile="Core", spec={"1.6": "OCPP 1.6 §4.10, §3.6"}, versions=("1.6",))
async def test_ev_side_disconnected(central_system, cp, case_version):
    """While charging, the EV's cable is pulled out; a charge point configured with
    StopTransactionOnEVSideDisconnect stops the transaction with reason EVDisconnected
    and unlocks. The Central System accepts that StopTransaction (idTagInfo Accepted) and
    ends the transaction: it is not ongoing any more, so the tag is free again."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    await authorize(cp)
    tx = await start(cp)
    await status(cp, case_version, "charging")
    await meter_values(cp, case_version, tx, 2000)
    await stop(cp, case_version, tx, meter_stop=2600, reason="EVDisconnected")
    await status(cp, case_version, "idle")
    await require_tag_free(cp, TAG, f"transaction {tx} stopped with reason EVDisconnected")


@case(octt="TC_032_1_CSMS", title="Power failure boot - configured to stop transaction(s)",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.10, §4.2, §3.7", "1.5": "OCPP 1.5 §4.10, §4.2",
            "1.2": "OCPP 1.2 §4 StopTransaction, BootNotification"})
async def test_power_failure_stop(central_system, cp, case_version):
    """Power fails during a transaction. The charge point stops the transaction (1.6:
    reason PowerLoss) stamped with the moment power failed, which lies minutes in the
    past when the message arrives, and boots again. The Central System accepts the late
    StopTransaction and ends the transaction at that moment (the tag is free again), and
    the rebooted charge point is accepted and can start a new transaction, which gets a
    transactionId of its own."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await authorize(cp)
    tx = await start(cp, meter_start=100, seconds_ago=900)
    await status(cp, case_version, "charging", seconds_ago=900)
    await stop(cp, case_version, tx, meter_stop=1900, seconds_ago=300,
               reason="PowerLoss" if case_version is OcppVersion.V16 else None)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await require_tag_free(cp, TAG, f"transaction {tx} stopped at the power failure")
    again = await start(cp, meter_start=1900)
    if again == tx:
        raise CaseFailed(f"the transaction after the reboot got transactionId {again}, the "
                         "id of the transaction stopped at the power failure",
                         evidence=(cp.recorder.last_seq,))
    await stop(cp, case_version, again, meter_stop=2100)
