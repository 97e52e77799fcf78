"""Delivery of transaction messages that a charge point queued while it was offline, and
several charge points at once (OCPP 1.6 §3.6, §4.8, §4.10; OCPP 1.5 §4.8, §4.10)."""

from __future__ import annotations

import datetime as dt

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

TX_SPEC = {"1.6": "OCPP 1.6 §4.8, §4.10", "1.5": "OCPP 1.5 §4.8, §4.10",
           "1.2": "OCPP 1.2 §4 StartTransaction, StopTransaction"}


def _past(minutes: int) -> dt.datetime:
    return (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)).replace(microsecond=0)


@case(own="OFFLINE_001_CSMS", title="StopTransaction for an unknown transaction is answered",
      sut="central-system", profile="Offline", spec=TX_SPEC)
async def test_unknown_stop_answered(central_system, cp, case_version):
    """A queued StopTransaction may name a transaction the Central System does not know
    (its StartTransaction was lost). The Central System must still answer it with a
    StopTransactionResponse, not a fault, or the charge point would resend it forever."""
    await cp.boot_accepted()
    # cp.send FAILs the case on a SOAP fault, with the fault as evidence.
    await cp.send(Op.STOP_TRANSACTION, transactionId=987654, meterStop=1200,
                  timestamp=_past(5))


@case(own="OFFLINE_002_CSMS", title="A resent StartTransaction creates no second transaction",
      sut="central-system", profile="Offline", spec=TX_SPEC)
async def test_resent_start_same_transaction(central_system, cp, case_version):
    """When the response to a StartTransaction is lost the charge point delivers the same
    message again. The Central System recognises the duplicate (same connector, idTag,
    timestamp and meterStart) and answers with the same transactionId instead of opening a
    second transaction."""
    await central_system.add_id_tag("OFFLINE-TAG")
    await cp.boot_accepted()
    fields = dict(connectorId=1, idTag="OFFLINE-TAG", meterStart=100, timestamp=_past(10))
    first = await cp.send(Op.START_TRANSACTION, **fields)
    again = await cp.send(Op.START_TRANSACTION, **fields)
    if again.transaction_id != first.transaction_id:
        raise CaseFailed(f"the resent StartTransaction got transactionId "
                         f"{again.transaction_id}, the first {first.transaction_id}: a second "
                         "transaction was opened")


@case(own="CONCURRENCY_001_CSMS", title="Two charge points get distinct transactionIds",
      sut="central-system", profile="Concurrency", spec=TX_SPEC)
async def test_distinct_transaction_ids(central_system, cp, fleet, case_version):
    """transactionId identifies a transaction towards the Central System; two charge points
    charging at the same time must get different transactionIds."""
    await central_system.add_id_tag("FLEET-TAG-1")
    await central_system.add_id_tag("FLEET-TAG-2")
    other = await fleet.add()
    await cp.boot_accepted()
    await other.boot_accepted()
    now = _past(0)
    a = await cp.send(Op.START_TRANSACTION, connectorId=1, idTag="FLEET-TAG-1",
                      meterStart=0, timestamp=now)
    b = await other.send(Op.START_TRANSACTION, connectorId=1, idTag="FLEET-TAG-2",
                         meterStart=0, timestamp=now)
    if a.transaction_id == b.transaction_id:
        raise CaseFailed(f"both charge points got transactionId {a.transaction_id}")


@case(own="OFFLINE_003_CSMS", title="A late StartTransaction with a past timestamp is accepted",
      sut="central-system", profile="Offline", spec=TX_SPEC)
async def test_late_start_accepted(central_system, cp, case_version):
    """A transaction started while the charge point was offline is delivered later with
    the time it really started. The Central System accepts it and still reports the idTag's
    real status (Accepted for a known, valid idTag), whatever the age of the timestamp."""
    await central_system.add_id_tag("LATE-TAG")
    await cp.boot_accepted()
    reply = await cp.send(Op.START_TRANSACTION, connectorId=1, idTag="LATE-TAG",
                          meterStart=0, timestamp=_past(180))
    status = reply.id_tag_info.status.value
    if status != "Accepted":
        raise CaseFailed(f"a StartTransaction started 3 hours ago for the valid idTag "
                         f"LATE-TAG got idTagInfo status {status}")
