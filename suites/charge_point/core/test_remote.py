"""Remote control: RemoteStartTransaction and RemoteStopTransaction (OCTT 2.5, 2.11)."""

from __future__ import annotations

import asyncio
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles import RemoteFault
from ocppcert.roles.central_system import Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

V16 = OcppVersion.V16
CONNECTOR = 1
TAG = "OCPPCERT-REMOTE-1"
OTHER_TAG = "OCPPCERT-REMOTE-2"
CONNECTION_TIMEOUT = 3  # s: ConnectionTimeOut set for the time-out case
TOLERANCE = 0.5  # s: timer resolution allowed on the SUT's side
ARRIVAL = 15  # s: how long a message the SUT must send may take

REMOTE_START = {"1.6": "OCPP 1.6 §5.11, §4.8", "1.5": "OCPP 1.5 §5.9, §4.8",
                "1.2": "OCPP 1.2 ch. 5 (Remote Start Transaction)"}


# -- helpers ----------------------------------------------------------------------------
async def configure(cs: Any, key: str, value: str) -> None:
    """Set a standard writable key the case depends on; anything but Accepted fails."""
    reply = await cs.command(Op.CHANGE_CONFIGURATION, key=key, value=value)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}={value} was answered {reply.status.value}; "
                         "the case needs this standard key set")


async def authorizes_remote_starts(cs: Any, version: OcppVersion) -> bool:
    """1.6: AuthorizeRemoteTxRequests, read with GetConfiguration (a required key). The
    older versions have no such key and leave it to the charge point."""
    if version is not V16:
        return False
    read = await cs.command(Op.GET_CONFIGURATION, key=["AuthorizeRemoteTxRequests"])
    values = {k.key: k.value for k in read.configuration_key}
    if "AuthorizeRemoteTxRequests" not in values:
        raise CaseFailed("GetConfiguration does not report AuthorizeRemoteTxRequests, a "
                         "required key in 1.6")
    return str(values["AuthorizeRemoteTxRequests"]).strip().lower() == "true"


async def expect_status(cs: Any, status: str, *, timeout: float = ARRIVAL,
                        connector: int = CONNECTOR, after: Received | None = None) -> Received:
    """The next StatusNotification ``status`` of the connector (sent after ``after``:
    the statuses of the boot before the case may still be arriving)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = await cs.expect(
            Op.STATUS_NOTIFICATION, timeout=max(0.0, deadline - loop.time()),
            where=lambda m: m.connector_id == connector and m.status.value == status,
            what=f"StatusNotification {status} for connector {connector}")
        if after is None or found.seq > after.seq:
            return found


async def remote_start(cs: Any, id_tag: str, connector: int = CONNECTOR) -> str:
    reply = await cs.command(Op.REMOTE_START_TRANSACTION, idTag=id_tag, connectorId=connector)
    return reply.status.value


async def expect_start(cs: Any, id_tag: str, *, after: Received | None = None) -> Received:
    """The StartTransaction of ``id_tag`` on the connector; with ``after`` (an Authorize),
    it must come after that."""
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            where=lambda m: m.connector_id == CONNECTOR,
                            what=f"StartTransaction on connector {CONNECTOR}")
    if start.message.id_tag != id_tag:
        raise CaseFailed(f"StartTransaction carries idTag {start.message.id_tag!r}, not the "
                         f"{id_tag!r} of the RemoteStartTransaction", evidence=(start.seq,))
    if after is not None and start.seq < after.seq:
        raise CaseFailed("StartTransaction was sent before the Authorize of its idTag",
                         evidence=(start.seq, after.seq))
    return start


async def expect_authorize(cs: Any, id_tag: str) -> Received:
    return await cs.expect(Op.AUTHORIZE, timeout=ARRIVAL, where=lambda m: m.id_tag == id_tag,
                           what=f"Authorize for {id_tag} (AuthorizeRemoteTxRequests is true)")


async def start_charging(cs: Any, charge_point: Any, id_tag: str = TAG) -> int:
    """OCTT reusable state Charging: cable in, idTag presented, transaction started.
    Returns the transactionId the harness gave. Cases using it set
    MeterValueSampleInterval first: the first sampled MeterValues shows the charge point
    has taken the transactionId in (transaction messages go out in order)."""
    await charge_point.plug_in(CONNECTOR)
    await charge_point.present_id_tag(id_tag, CONNECTOR)
    start = await expect_start(cs, id_tag)
    transaction_id = start.answer.transaction_id
    await cs.expect(Op.METER_VALUES, timeout=ARRIVAL,
                    where=lambda m: m.connector_id == CONNECTOR
                    and getattr(m, "transaction_id", None) in (None, transaction_id),
                    what=f"a sampled MeterValues of transaction {transaction_id}")
    return transaction_id


# -- cases ------------------------------------------------------------------------------
@case(octt="TC_010_CS", title="Remote Start Charging Session - Cable Plugged in First",
      sut="charge-point", profile="Core", spec=REMOTE_START)
async def test_remote_start_with_cable_plugged_in(cs, charge_point, case_version):
    """With a cable already plugged in, RemoteStartTransaction for that connector is
    Accepted and the transaction starts with the idTag the Central System gave. In 1.6
    the connector reports Preparing once the cable is in and Charging once the
    transaction runs; with AuthorizeRemoteTxRequests true the idTag is first authorised
    like a local one."""
    authorize = await authorizes_remote_starts(cs, case_version)
    await charge_point.plug_in(CONNECTOR)
    if case_version is V16:
        await expect_status(cs, "Preparing")
    status = await remote_start(cs, TAG)
    if status != "Accepted":
        raise CaseFailed(f"RemoteStartTransaction on a connector with a cable in answered {status}")
    authorized = await expect_authorize(cs, TAG) if authorize else None
    await expect_start(cs, TAG, after=authorized)
    if case_version is V16:
        await expect_status(cs, "Charging")


@case(octt="TC_011_1_CS", title="Remote Start Charging Session - Remote Start First",
      sut="charge-point", profile="Core", spec=REMOTE_START)
async def test_remote_start_before_the_cable(cs, charge_point, case_version):
    """RemoteStartTransaction on a free connector is Accepted; the charge point waits
    for the cable (1.6: the connector reports Preparing) and starts no transaction before
    it is plugged in; once it is, the transaction starts with the given idTag (1.6:
    Charging)."""
    authorize = await authorizes_remote_starts(cs, case_version)
    status = await remote_start(cs, TAG)
    if status != "Accepted":
        raise CaseFailed(f"RemoteStartTransaction on an Available connector answered {status}")
    authorized = await expect_authorize(cs, TAG) if authorize else None
    if case_version is V16:
        await expect_status(cs, "Preparing")
    await cs.expect_none(Op.START_TRANSACTION, during=1,
                         why="before a cable was plugged in")
    await charge_point.plug_in(CONNECTOR)
    await expect_start(cs, TAG, after=authorized)
    if case_version is V16:
        await expect_status(cs, "Charging")


@case(octt="TC_011_2_CS", title="Remote Start Charging Session - Time Out",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §5.11, §9.1 (ConnectionTimeOut)",
            "1.5": "OCPP 1.5 §5.9, §6.9 (ConnectionTimeOut)",
            "1.2": "OCPP 1.2 ch. 5 (RemoteStartTransaction; ConnectionTimeOut)"})
async def test_remote_start_times_out(cs, charge_point, case_version):
    """A remote start waits for the cable only ConnectionTimeOut seconds: after that the
    authorisation lapses (1.6: the connector goes from Preparing back to Available, not
    earlier than the time-out) and a cable plugged in later starts no transaction."""
    await configure(cs, "ConnectionTimeOut", str(CONNECTION_TIMEOUT))
    status = await remote_start(cs, TAG)
    if status != "Accepted":
        raise CaseFailed(f"RemoteStartTransaction on an Available connector answered {status}")
    if case_version is V16:
        preparing = await expect_status(cs, "Preparing")
        available = await expect_status(cs, "Available", timeout=CONNECTION_TIMEOUT * 2 + 10,
                                        after=preparing)
        waited = (available.at - preparing.at).total_seconds()
        if waited < CONNECTION_TIMEOUT - TOLERANCE:
            raise CaseFailed(f"the connector went back to Available {waited:.1f} s after "
                             f"Preparing; ConnectionTimeOut is {CONNECTION_TIMEOUT} s",
                             evidence=(preparing.seq, available.seq))
    else:
        await cs.expect_none(Op.START_TRANSACTION, during=CONNECTION_TIMEOUT + 1,
                             why="while no cable was plugged in")
    await charge_point.plug_in(CONNECTOR)
    await cs.expect_none(Op.START_TRANSACTION, during=2,
                         why=f"for a remote start whose ConnectionTimeOut ({CONNECTION_TIMEOUT} "
                             "s) had lapsed before the cable was plugged in")


@case(octt="TC_012_CS", title="Remote Stop Charging Session", sut="charge-point",
      profile="Core",
      spec={"1.6": "OCPP 1.6 §5.12, §4.10", "1.5": "OCPP 1.5 §5.10, §4.10",
            "1.2": "OCPP 1.2 ch. 5 (Remote Stop Transaction)"})
async def test_remote_stop(cs, charge_point, case_version):
    """RemoteStopTransaction for a running transaction is Accepted and the transaction
    stops as if stopped at the station: StopTransaction for that transactionId follows
    (1.6: reason Remote, and the connector, its cable still in, reports Finishing)."""
    await configure(cs, "MeterValueSampleInterval", "1")
    transaction_id = await start_charging(cs, charge_point)
    reply = await cs.command(Op.REMOTE_STOP_TRANSACTION, transactionId=transaction_id)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"RemoteStopTransaction of running transaction {transaction_id} "
                         f"answered {reply.status.value}")
    stop = await cs.expect(Op.STOP_TRANSACTION, timeout=ARRIVAL,
                           what=f"StopTransaction of transaction {transaction_id}")
    if stop.message.transaction_id != transaction_id:
        raise CaseFailed(f"StopTransaction names transaction {stop.message.transaction_id}, "
                         f"not {transaction_id}", evidence=(stop.seq,))
    if case_version is V16:
        reason = stop.message.reason.value if stop.message.reason else None
        if reason != "Remote":
            raise CaseFailed(f"StopTransaction after a remote stop has reason {reason or '(none)'}"
                             ", not Remote", evidence=(stop.seq,))
        await expect_status(cs, "Finishing")


@case(octt="TC_026_CS", title="Remote Start Charging Session - Rejected", sut="charge-point",
      profile="Core", spec=REMOTE_START)
async def test_remote_start_on_a_busy_connector(cs, charge_point, case_version):
    """RemoteStartTransaction for a connector on which a transaction is already running
    is answered Rejected, and no second transaction starts there."""
    if case_version is V16:
        await configure(cs, "LocalPreAuthorize", "false")
    await charge_point.plug_in(CONNECTOR)
    await charge_point.present_id_tag(TAG, CONNECTOR)
    await expect_start(cs, TAG)
    status = await remote_start(cs, OTHER_TAG)
    if status != "Rejected":
        raise CaseFailed(f"RemoteStartTransaction for connector {CONNECTOR}, where a "
                         f"transaction runs, answered {status}")
    await cs.expect_none(Op.START_TRANSACTION, during=2,
                         why="for a RemoteStartTransaction the charge point rejected")


@case(octt="TC_027_CS", title="Remote start transaction - connector id shall not be 0",
      sut="charge-point", profile="Core", spec=REMOTE_START)
async def test_remote_start_on_connector_zero(cs, charge_point, case_version):
    """Connector numbers start at 1; connectorId 0 stands for the charge point as a whole
    (1.6 says outright that a RemoteStartTransaction's connectorId SHALL be > 0). A
    RemoteStartTransaction for connector 0 is answered Rejected (or, as OCTT allows, with
    a fault) and starts nothing, even when a cable is then plugged in."""
    request = cs.request(Op.REMOTE_START_TRANSACTION, idTag=TAG, connectorId=0)
    try:
        reply = await cs.send_command(request)
    except RemoteFault:
        pass  # the SOAP counterpart of the CallError OCTT accepts
    else:
        if reply.status.value != "Rejected":
            raise CaseFailed(f"RemoteStartTransaction for connectorId 0 answered "
                             f"{reply.status.value}")
    await charge_point.plug_in(CONNECTOR)
    await cs.expect_none(Op.START_TRANSACTION, during=2,
                         why="after a RemoteStartTransaction for connectorId 0")
