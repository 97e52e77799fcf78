"""Transactions that happened while the charge point was offline, delivered from its queue
once the connection is back (OCTT §3.12), and our own cases on such queued messages:
a stop right after its start, meter readings from the past (OCPP 1.6 §3.7, §4.7, §4.8,
§4.10; OCPP 1.5 §3.2, §4.7, §4.8, §4.10)."""

from __future__ import annotations

from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ..steps import CONNECTOR, TAG, moment, reading, require_tag_free, start, status, stop

OFFLINE_SPEC = {"1.6": "OCPP 1.6 §3.7, §4.8, §4.10", "1.5": "OCPP 1.5 §3.2, §4.8, §4.10",
                "1.2": "OCPP 1.2 §4 StartTransaction, StopTransaction"}
METER_SPEC = {"1.6": "OCPP 1.6 §3.7, §4.7", "1.5": "OCPP 1.5 §3.2, §4.7",
              "1.2": "OCPP 1.2 §4 MeterValues"}
UNKNOWN_TAG = "OCPPCERT-NOT-KNOWN"
MINUTE = 60
HOUR = 60 * MINUTE


def _evidence(cp: Any) -> tuple[int, ...]:
    return (cp.recorder.last_seq,)


async def _past_meter_values(cp: Any, version: OcppVersion, transaction_id: int | None,
                             readings: list[tuple[int, float]]) -> None:
    """One MeterValues carrying energy readings ``(wh, seconds_ago)`` taken in the past;
    1.2 names only the connector."""
    fields: dict[str, Any] = {"connectorId": CONNECTOR}
    if version is OcppVersion.V12:
        fields["values"] = [reading(version, wh, seconds_ago=ago) for wh, ago in readings]
    else:
        if transaction_id is not None:
            fields["transactionId"] = transaction_id
        key = "meterValue" if version is OcppVersion.V16 else "values"
        fields[key] = [reading(version, wh, seconds_ago=ago, context="Sample.Periodic")
                       for wh, ago in readings]
    # cp.send FAILs the case on a SOAP fault, with the fault as evidence.
    await cp.send(Op.METER_VALUES, **fields)


@case(octt="TC_037_1_CSMS", title="Offline Start Transaction - Valid IdTag",
      sut="central-system", profile="Core", spec=OFFLINE_SPEC)
async def test_offline_start_valid(central_system, cp, case_version):
    """A driver started charging with a valid idTag while the charge point had no
    connection; when it is back, the charge point delivers the queued StartTransaction,
    stamped with the real start twenty minutes ago, and then reports the connector
    charging. The Central System must take the transaction although it started in the
    past (it has already happened): a transactionId and idTagInfo Accepted, the tag's
    real status; the StatusNotification that follows is answered."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    # [connection lost; the driver starts; connection back]: the queue is delivered.
    await start(cp, meter_start=1000, seconds_ago=20 * MINUTE)
    await status(cp, case_version, "charging")


@case(octt="TC_037_3_CSMS",
      title="Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId=true",
      sut="central-system", profile="Core", spec=OFFLINE_SPEC)
async def test_offline_start_invalid(central_system, cp, case_version):
    """Offline, the charge point let a driver start with an idTag the Central System does
    not accept. Delivered later, the StartTransaction must still be taken (it happened:
    a transactionId), but idTagInfo must report the tag's real status, Invalid, not
    trust the charge point's offline decision. The charge point then ends the
    transaction at once (StopTransactionOnInvalidId; 1.6 reason DeAuthorized) and the
    Central System answers that StopTransaction like any other."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    reply = await cp.send(Op.START_TRANSACTION, connectorId=CONNECTOR, idTag=UNKNOWN_TAG,
                          meterStart=500, timestamp=moment(15 * MINUTE))
    got = reply.id_tag_info.status.value
    if got != "Invalid":
        raise CaseFailed(f"a StartTransaction delivered late (started 15 minutes ago) with "
                         f"the idTag {UNKNOWN_TAG}, unknown to the Central System, got "
                         f"idTagInfo status {got}, not Invalid", evidence=_evidence(cp))
    await status(cp, case_version, "charging")
    fields: dict[str, Any] = {"transactionId": reply.transaction_id, "meterStop": 520,
                              "timestamp": moment()}
    if case_version is OcppVersion.V16:
        fields["reason"] = "DeAuthorized"
    await cp.send(Op.STOP_TRANSACTION, **fields)
    await status(cp, case_version, "idle")


@case(octt="TC_039_CSMS", title="Offline Transaction", sut="central-system",
      profile="Core", spec=OFFLINE_SPEC)
async def test_offline_transaction(central_system, cp, case_version):
    """A whole transaction happened while the charge point was offline: started thirty
    minutes ago, metered, stopped locally ten minutes ago, cable unplugged. Back online,
    the charge point delivers its queue in order: StartTransaction, MeterValues and
    StopTransaction (1.6 reason Local), all stamped in the past. The Central System must
    accept the start (idTagInfo Accepted, a transactionId), answer the rest, and apply
    the stop although it names a moment before the start reached it: afterwards the
    tag is in no transaction, so Authorize of it is Accepted, not ConcurrentTx."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    tx = await start(cp, meter_start=1000, seconds_ago=30 * MINUTE)
    await _past_meter_values(cp, case_version, tx, [(1800, 20 * MINUTE)])
    await stop(cp, case_version, tx, meter_stop=2600, seconds_ago=10 * MINUTE,
               reason="Local" if case_version is OcppVersion.V16 else None)
    await status(cp, case_version, "idle")
    await require_tag_free(cp, TAG, f"the queued StopTransaction of transaction {tx}")


@case(own="OFFLINE_004_CSMS", title="A queued stop right after its start ends the transaction",
      sut="central-system", profile="Offline", spec=OFFLINE_SPEC)
async def test_queued_stop_after_start(central_system, cp, case_version):
    """A short offline transaction has no meter values in the queue: the StopTransaction
    comes straight after its StartTransaction. The Central System must accept the stop and
    end the transaction: Authorize of the tag is then Accepted (not ConcurrentTx), and a
    new StartTransaction on the same connector is a new transaction with a new
    transactionId."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    tx = await start(cp, meter_start=1000, seconds_ago=15 * MINUTE)
    await stop(cp, case_version, tx, meter_stop=1400, seconds_ago=12 * MINUTE)
    await require_tag_free(cp, TAG, f"the queued StopTransaction of transaction {tx}")
    again = await start(cp, meter_start=1400)
    if again == tx:
        raise CaseFailed(f"a new StartTransaction on connector {CONNECTOR} got transactionId "
                         f"{again}, that of the transaction stopped before",
                         evidence=_evidence(cp))
    await stop(cp, case_version, again, meter_stop=1500)


@case(own="OFFLINE_005_CSMS", title="Meter values from hours ago are answered",
      sut="central-system", profile="Offline", spec=METER_SPEC)
async def test_old_meter_values(central_system, cp, case_version):
    """A long transaction started while offline delivers its queued periodic meter values
    late, taken two hours to one hour ago. The Central System should process historical
    messages like any others: each MeterValues is answered normally, not with a fault. The
    check is on the answers only; whether the readings are stored is not observable in a
    SUT-neutral way."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    tx = await start(cp, meter_start=1000, seconds_ago=2 * HOUR + 5 * MINUTE)
    await _past_meter_values(cp, case_version, tx, [(1500, 2 * HOUR), (2000, 90 * MINUTE)])
    await _past_meter_values(cp, case_version, tx, [(2500, HOUR)])
    await stop(cp, case_version, tx, meter_stop=3000)


@case(own="OFFLINE_006_CSMS", title="Meter values for a stopped transaction are answered",
      sut="central-system", profile="Offline", spec=METER_SPEC)
async def test_meter_values_after_stop(central_system, cp, case_version):
    """Meter values may reach the Central System after their transaction stopped (a resend
    whose answer was lost, or readings the charge point queued late). The Central System
    cannot refuse what was measured: such a MeterValues, naming the stopped transaction
    (1.2: its connector, now without a transaction), is answered normally, not with a
    fault. The check is on the answer only."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    tx = await start(cp, meter_start=1000, seconds_ago=40 * MINUTE)
    await stop(cp, case_version, tx, meter_stop=2200, seconds_ago=5 * MINUTE)
    await status(cp, case_version, "idle")
    await _past_meter_values(cp, case_version, tx, [(1600, 25 * MINUTE)])
