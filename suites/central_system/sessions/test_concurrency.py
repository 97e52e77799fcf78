"""One idTag at several charge points at once: the Central System answers ConcurrentTx
(OCPP 1.6 §4.1, §4.8, §7.2; OCPP 1.5 §4.1, §4.8)."""

from __future__ import annotations

from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from ..steps import CONNECTOR, TAG, moment, require_tag_free, start, status, stop

CONCURRENCY_SPEC = {"1.6": "OCPP 1.6 §4.1, §4.8, §7.2", "1.5": "OCPP 1.5 §4.1, §4.8",
                    "1.2": "OCPP 1.2 §4 Authorize, StartTransaction"}


def _status_of(reply: Any) -> str:
    return reply.id_tag_info.status.value


@case(own="CONCURRENCY_002_CSMS", title="An idTag charging elsewhere is ConcurrentTx",
      sut="central-system", profile="Concurrency", spec=CONCURRENCY_SPEC)
async def test_concurrent_tx_other_charge_point(central_system, cp, fleet, case_version):
    """ConcurrentTx means the identifier is already involved in another transaction and
    multiple transactions are not allowed. While the idTag charges at charge point A,
    charge point B presenting it must get ConcurrentTx: for its Authorize and, if B
    starts anyway (offline, say), in the StartTransaction's idTagInfo, which still
    carries a transactionId. Once both transactions are stopped, the tag is free:
    Authorize is Accepted again."""
    await central_system.add_id_tag(TAG)
    other = await fleet.add()
    await cp.boot_accepted()
    await other.boot_accepted()
    await status(cp, case_version, "preparing")
    tx_a = await start(cp, meter_start=0)
    auth = await other.send(Op.AUTHORIZE, idTag=TAG)
    if _status_of(auth) != "ConcurrentTx":
        raise CaseFailed(f"{TAG} is in transaction {tx_a} at {cp.identity}; Authorize of it "
                         f"at {other.identity} is answered {_status_of(auth)}, not "
                         "ConcurrentTx", evidence=(other.recorder.last_seq,))
    begun = await other.send(Op.START_TRANSACTION, connectorId=CONNECTOR, idTag=TAG,
                             meterStart=0, timestamp=moment())
    if _status_of(begun) != "ConcurrentTx":
        raise CaseFailed(f"{TAG} is in transaction {tx_a} at {cp.identity}; a "
                         f"StartTransaction with it at {other.identity} got idTagInfo "
                         f"{_status_of(begun)}, not ConcurrentTx",
                         evidence=(other.recorder.last_seq,))
    if begun.transaction_id == tx_a:
        raise CaseFailed(f"the StartTransaction at {other.identity} got transactionId "
                         f"{tx_a}, that of {cp.identity}'s transaction",
                         evidence=(other.recorder.last_seq,))
    # B stops its transaction at once (not authorised); A's driver stops later.
    fields: dict[str, Any] = {"transactionId": begun.transaction_id, "meterStop": 0,
                              "timestamp": moment()}
    if case_version is OcppVersion.V16:
        fields["reason"] = "DeAuthorized"
    await other.send(Op.STOP_TRANSACTION, **fields)
    await stop(cp, case_version, tx_a, meter_stop=2000)
    await require_tag_free(other, TAG, f"both transactions with {TAG} stopped")
