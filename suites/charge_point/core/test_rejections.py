"""Commands the charge point must refuse: they name something it does not have."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion


@case(octt="TC_028_CS", title="Remote Stop Transaction - Rejected", sut="charge-point",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.12", "1.5": "OCPP 1.5 §5.10",
                            "1.2": "OCPP 1.2 §5 RemoteStopTransaction"})
async def test_remote_stop_of_an_unknown_transaction(cs, charge_point, case_version):
    """RemoteStopTransaction naming a transaction that is not running on the charge point
    is answered Rejected, and no StopTransaction follows."""
    reply = await cs.command(Op.REMOTE_STOP_TRANSACTION, transactionId=987654)
    if reply.status.value != "Rejected":
        raise CaseFailed(f"RemoteStop of an unknown transaction answered {reply.status.value}")
    await cs.expect_none(Op.STOP_TRANSACTION, during=2,
                         why="after a RemoteStop the charge point rejected")


@case(octt="TC_031_CS", title="Unlock Connector - Unknown Connector", sut="charge-point",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.18", "1.5": "OCPP 1.5 §5.14",
                            "1.2": "OCPP 1.2 §5 UnlockConnector"})
async def test_unlock_an_unknown_connector(cs, charge_point, case_version, pics):
    """UnlockConnector for a connector the charge point does not have cannot succeed: 1.6
    answers NotSupported, 1.5 and 1.2 (whose answer is Accepted or Rejected) Rejected."""
    missing = pics.connectors + 1
    reply = await cs.command(Op.UNLOCK_CONNECTOR, connectorId=missing)
    expected = "NotSupported" if case_version is OcppVersion.V16 else "Rejected"
    if reply.status.value != expected:
        raise CaseFailed(f"UnlockConnector of connector {missing}, which does not exist, "
                         f"answered {reply.status.value}; expected {expected}")
