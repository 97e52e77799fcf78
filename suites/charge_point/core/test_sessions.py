"""Charging sessions started and stopped at the station: plug-in first or identification
first, ConnectionTimeOut, stopping by idTag or parentIdTag, the EV-side disconnect keys,
and a cable that cannot be locked."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, fixed_cable
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .session_steps import (
    configure,
    expect_after,
    expect_none_after,
    expect_status,
    occupied_status,
    same_tag,
    start_charging,
    transaction_id_of,
)

V16 = OcppVersion.V16
CONNECTOR = 1
DRIVER_TAG = "OCPPCERT-TAG-1"
OTHER_TAG = "OCPPCERT-TAG-2"
GROUP_TAG = "OCPPCERT-GROUP"
CONNECTION_TIMEOUT = 3  # s: ConnectionTimeOut set for TC_004_2
TOLERANCE = 0.5  # s: timer resolution allowed on the SUT's side
QUIET = 3.0  # s: how long a message that must not come is watched for
ARRIVAL_MARGIN = 10.0  # s: beyond a protocol timer, for a message that timer triggers

SESSION_SPEC = {"1.6": "OCPP 1.6 §4.1, §4.8, §4.9", "1.5": "OCPP 1.5 §4.1, §4.8, §4.9",
                "1.2": "OCPP 1.2 §4 (Authorize, StartTransaction, StatusNotification)"}


async def _stop_by(cs, version: OcppVersion, start, id_tag: str, *, after: int):
    """The StopTransaction that ends ``start``'s transaction after ``id_tag`` was
    presented: it names that transaction and that idTag (1.6: with reason Local or none,
    then the connector reports Finishing)."""
    transaction_id = transaction_id_of(start)
    stop = await expect_after(cs, Op.STOP_TRANSACTION, after=after,
                              what=f"StopTransaction after {id_tag} was presented")
    m = stop.message
    if m.transaction_id != transaction_id:
        raise CaseFailed(f"StopTransaction names transaction {m.transaction_id}, not "
                         f"{transaction_id}", evidence=(start.seq, stop.seq))
    if not same_tag(m.id_tag, id_tag):
        raise CaseFailed(f"StopTransaction carries idTag {m.id_tag!r}; {id_tag!r} stopped it",
                         evidence=(stop.seq,))
    if version is V16:
        reason = m.reason.value if m.reason is not None else None
        if reason not in (None, "Local"):
            raise CaseFailed(f"a transaction stopped by an idTag has reason {reason}, not "
                             "Local (or none)", evidence=(stop.seq,))
        await expect_status(cs, CONNECTOR, "Finishing", after=after,
                            why="after the transaction was stopped")
    return stop


def _check_start(start, id_tag: str) -> None:
    m = start.message
    if m.connector_id != CONNECTOR or not same_tag(m.id_tag, id_tag):
        raise CaseFailed(f"StartTransaction is for connector {m.connector_id} and idTag "
                         f"{m.id_tag!r}, expected {CONNECTOR} and {id_tag!r}",
                         evidence=(start.seq,))


@case(octt="TC_003_CS", title="Regular Charging Session - Plugin First", sut="charge-point",
      profile="Core", spec=SESSION_SPEC)
async def test_plugin_first(cs, charge_point, case_version):
    """A cable plugged into a free connector makes it Preparing (1.2/1.5: Occupied). An
    idTag presented then, unknown to the charge point, is authorised with Authorize.req
    before any energy flows; once accepted, StartTransaction names that connector and
    idTag, and (1.6) the connector reports Charging."""
    mark = cs.recorder.last_seq
    await charge_point.plug_in(CONNECTOR)
    await expect_status(cs, CONNECTOR, occupied_status(case_version, "Preparing"), after=mark,
                        why="once a cable is plugged in")
    await charge_point.present_id_tag(DRIVER_TAG, CONNECTOR)
    authorize = await expect_after(cs, Op.AUTHORIZE, after=mark,
                                   where=lambda m: same_tag(m.id_tag, DRIVER_TAG),
                                   what=f"Authorize.req for {DRIVER_TAG}")
    start = await expect_after(cs, Op.START_TRANSACTION, after=mark,
                               what=f"StartTransaction after {DRIVER_TAG} was accepted")
    _check_start(start, DRIVER_TAG)
    if start.seq < authorize.seq:
        raise CaseFailed("StartTransaction was sent before the idTag was authorised",
                         evidence=(start.seq, authorize.seq))
    if case_version is V16:
        await expect_status(cs, CONNECTOR, "Charging", after=mark,
                            why="once the transaction has started")


@case(octt="TC_004_1_CS", title="Regular Charging Session - Identification First",
      sut="charge-point", profile="Core", spec=SESSION_SPEC)
async def test_identification_first(cs, charge_point, case_version):
    """An idTag presented before any cable is authorised with Authorize.req; once
    accepted, the connector is Preparing (1.6) and waits for the cable. Plugging it in
    within ConnectionTimeOut starts the transaction for that idTag: StartTransaction, and
    (1.6) Charging."""
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(DRIVER_TAG, CONNECTOR)
    await expect_after(cs, Op.AUTHORIZE, after=mark,
                       where=lambda m: same_tag(m.id_tag, DRIVER_TAG),
                       what=f"Authorize.req for {DRIVER_TAG}")
    if case_version is V16:
        await expect_status(cs, CONNECTOR, "Preparing", after=mark,
                            why="once the idTag is authorised")
    await charge_point.plug_in(CONNECTOR)
    start = await expect_after(cs, Op.START_TRANSACTION, after=mark,
                               what="StartTransaction once the cable is in")
    _check_start(start, DRIVER_TAG)
    if case_version is V16:
        await expect_status(cs, CONNECTOR, "Charging", after=mark,
                            why="once the transaction has started")


@case(octt="TC_004_2_CS",
      title="Regular Charging Session - Identification First - ConnectionTimeOut",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §9.1 (ConnectionTimeOut), §4.9",
            "1.5": "OCPP 1.5 §6.9 (ConnectionTimeOut)",
            "1.2": "OCPP 1.2 §5 ChangeConfiguration (ConnectionTimeOut)"})
async def test_identification_first_connection_timeout(cs, charge_point, case_version):
    """An authorisation waits for its cable only ConnectionTimeOut seconds: when no cable
    comes in that time the charge point drops it, the connector (1.6: Preparing since the
    idTag was accepted) is Available again, and a cable plugged in afterwards starts no
    transaction."""
    await configure(cs, "ConnectionTimeOut", str(CONNECTION_TIMEOUT))
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(DRIVER_TAG, CONNECTOR)
    authorize = await expect_after(cs, Op.AUTHORIZE, after=mark,
                                   where=lambda m: same_tag(m.id_tag, DRIVER_TAG),
                                   what=f"Authorize.req for {DRIVER_TAG}")
    if case_version is V16:
        preparing = await expect_status(cs, CONNECTOR, "Preparing", after=mark,
                                        why="once the idTag is authorised")
        available = await expect_status(cs, CONNECTOR, "Available", after=preparing.seq,
                                        timeout=CONNECTION_TIMEOUT + ARRIVAL_MARGIN,
                                        why=f"{CONNECTION_TIMEOUT} s after Preparing, with no "
                                            "cable plugged in")
        # ConnectionTimeOut runs from Preparing, which follows the Authorize exchange
        waited = (available.at - authorize.at).total_seconds()
        if waited < CONNECTION_TIMEOUT - TOLERANCE:
            raise CaseFailed(f"the authorisation lapsed {waited:.1f} s after it was given; "
                             f"ConnectionTimeOut is {CONNECTION_TIMEOUT} s",
                             evidence=(authorize.seq, preparing.seq, available.seq))
    else:
        # 1.2/1.5 show no status for a waiting authorisation: let ConnectionTimeOut pass
        await expect_none_after(cs, Op.START_TRANSACTION, after=mark,
                                during=CONNECTION_TIMEOUT + 1,
                                why="before any cable was plugged in")
    plugged = cs.recorder.last_seq
    await charge_point.plug_in(CONNECTOR)
    await expect_status(cs, CONNECTOR, occupied_status(case_version, "Preparing"),
                        after=plugged, why="once a cable is plugged in")
    await expect_none_after(cs, Op.START_TRANSACTION, after=mark, during=QUIET,
                            why=f"for a cable plugged in after ConnectionTimeOut "
                                f"({CONNECTION_TIMEOUT} s) had dropped the authorisation")


@case(octt="TC_068_CS",
      title="Stop transaction - IdTag in StopTransaction matches IdTag in StartTransaction",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §4.10", "1.5": "OCPP 1.5 §4.1, §4.10",
            "1.2": "OCPP 1.2 §4 (Authorize, StopTransaction)"})
async def test_stop_with_the_starting_id_tag(cs, charge_point, case_version):
    """A transaction is stopped by presenting the idTag that started it, and not by just
    any other valid idTag presented at its connector. The StopTransaction names the
    transaction and carries that idTag; (1.6) the connector goes Finishing. 1.6 §4.1:
    stopping with the starting idTag needs no Authorize.req."""
    start = await start_charging(cs, charge_point, case_version, CONNECTOR, DRIVER_TAG)
    other = cs.recorder.last_seq
    await charge_point.present_id_tag(OTHER_TAG, CONNECTOR)
    # An Authorize.req for the other idTag is allowed (one reader for several connectors).
    await expect_none_after(cs, Op.STOP_TRANSACTION, after=other, during=QUIET,
                            why=f"when {OTHER_TAG}, not the idTag that started the "
                                "transaction, was presented")
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(DRIVER_TAG, CONNECTOR)
    stop = await _stop_by(cs, case_version, start, DRIVER_TAG, after=mark)
    if case_version is V16:
        asked = [r for r in cs.seen(Op.AUTHORIZE)
                 if r.seq > mark and same_tag(r.message.id_tag, DRIVER_TAG)]
        if asked:
            raise CaseFailed(f"Authorize.req for {DRIVER_TAG}, the idTag that started the "
                             "transaction, before stopping it",
                             evidence=(asked[0].seq, stop.seq))


@case(octt="TC_069_CS",
      title="Stop transaction - ParentIdTag in StopTransaction matches ParentIdTag in "
            "StartTransaction",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §4.10 (IdTagInfo.parentIdTag)",
            "1.5": "OCPP 1.5 §4.1, §4.10 (IdTagInfo.parentIdTag)",
            "1.2": "OCPP 1.2 §4 (Authorize, StopTransaction; IdTagInfo.parentIdTag)"})
async def test_stop_with_the_same_parent_id_tag(cs, charge_point, case_version):
    """An idTag other than the starting one may stop a transaction when both belong to
    the same group: the charge point authorises the new idTag (Authorize.req), learns its
    parentIdTag, and, as it matches the parentIdTag of the running transaction, stops it.
    StopTransaction names the transaction and carries the idTag that stopped it; (1.6)
    the connector goes Finishing."""
    group = {"idTagInfo": {"status": "Accepted", "parentIdTag": GROUP_TAG}}
    cs.answer(Op.AUTHORIZE, lambda request, ctx: group, times=4)
    cs.answer(Op.START_TRANSACTION, **group)
    start = await start_charging(cs, charge_point, case_version, CONNECTOR, DRIVER_TAG)
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(OTHER_TAG, CONNECTOR)
    authorize = await expect_after(cs, Op.AUTHORIZE, after=mark,
                                   where=lambda m: same_tag(m.id_tag, OTHER_TAG),
                                   what=f"Authorize.req for {OTHER_TAG}, to learn its "
                                        "parentIdTag")
    stop = await _stop_by(cs, case_version, start, OTHER_TAG, after=mark)
    if stop.seq < authorize.seq:
        raise CaseFailed("the transaction was stopped before the other idTag was authorised",
                         evidence=(authorize.seq, stop.seq))


EV_SIDE_SPEC = {"1.6": "OCPP 1.6 §4.10, §9.1 (StopTransactionOnEVSideDisconnect, "
                       "UnlockConnectorOnEVSideDisconnect)"}


async def _configure_ev_side(cs, stop: bool, unlock: bool) -> None:
    await configure(cs, "MinimumStatusDuration", "0", optional=True)
    await configure(cs, "StopTransactionOnEVSideDisconnect", str(stop).lower())
    await configure(cs, "UnlockConnectorOnEVSideDisconnect", str(unlock).lower())


async def _ev_side_stop(cs, start, *, after: int):
    """The StopTransaction of ``start``'s transaction, reason EVDisconnected, then
    Finishing."""
    stop = await expect_after(cs, Op.STOP_TRANSACTION, after=after,
                              what="StopTransaction after the EV-side disconnect")
    reason = stop.message.reason.value if stop.message.reason is not None else None
    if reason != "EVDisconnected":
        raise CaseFailed(f"the transaction ended by an EV-side disconnect has reason {reason}, "
                         "not EVDisconnected", evidence=(stop.seq,))
    if stop.message.transaction_id != transaction_id_of(start):
        raise CaseFailed(f"StopTransaction names transaction {stop.message.transaction_id}",
                         evidence=(start.seq, stop.seq))
    return await expect_status(cs, CONNECTOR, "Finishing", after=after,
                               why="after the transaction stopped")


@case(octt="TC_005_1_CS",
      title="EV Side Disconnected - StopTransactionOnEVSideDisconnect = true - "
            "UnlockConnectorOnEVSideDisconnect = true",
      sut="charge-point", profile="Core", versions=("1.6",), spec=EV_SIDE_SPEC,
      requires=(fixed_cable(False),))
async def test_ev_side_disconnect_stops_and_unlocks(cs, charge_point, case_version):
    """With StopTransactionOnEVSideDisconnect and UnlockConnectorOnEVSideDisconnect true,
    pulling the cable out at the EV ends the transaction (StopTransaction, reason
    EVDisconnected; the connector Finishing) and releases the cable at the station, so
    the driver can take it out: the connector is then Available."""
    await _configure_ev_side(cs, stop=True, unlock=True)
    start = await start_charging(cs, charge_point, case_version, CONNECTOR, DRIVER_TAG)
    mark = cs.recorder.last_seq
    await charge_point.ev_disconnect(CONNECTOR)
    finishing = await _ev_side_stop(cs, start, after=mark)
    await charge_point.unplug(CONNECTOR)
    await expect_status(cs, CONNECTOR, "Available", after=finishing.seq,
                        why="once the unlocked cable is taken out of the station")


@case(octt="TC_005_2_CS",
      title="EV Side Disconnected - StopTransactionOnEVSideDisconnect = true - "
            "UnlockConnectorOnEVSideDisconnect = false",
      sut="charge-point", profile="Core", versions=("1.6",), spec=EV_SIDE_SPEC)
async def test_ev_side_disconnect_stops_and_keeps_locked(cs, charge_point, case_version,
                                                         pics):
    """With StopTransactionOnEVSideDisconnect true and UnlockConnectorOnEVSideDisconnect
    false, pulling the cable out at the EV ends the transaction (reason EVDisconnected,
    the connector Finishing) but the station keeps its end of the cable locked: it cannot
    be taken out, so the connector stays Finishing, until UnlockConnector (answered
    Unlocked) releases it; then the connector becomes Available when it is removed."""
    await _configure_ev_side(cs, stop=True, unlock=False)
    start = await start_charging(cs, charge_point, case_version, CONNECTOR, DRIVER_TAG)
    mark = cs.recorder.last_seq
    await charge_point.ev_disconnect(CONNECTOR)
    finishing = await _ev_side_stop(cs, start, after=mark)
    if pics.fixed_cable:
        return  # the cable belongs to the station: there is no lock to keep closed
    await charge_point.unplug(CONNECTOR)
    await expect_none_after(cs, Op.STATUS_NOTIFICATION, after=finishing.seq, during=QUIET,
                            where=lambda m: m.connector_id == CONNECTOR
                            and m.status.value == "Available",
                            why="Available for a cable taken out of the station, although "
                                "UnlockConnectorOnEVSideDisconnect false keeps it locked")
    reply = await cs.command(Op.UNLOCK_CONNECTOR, connectorId=CONNECTOR)
    if reply.status.value != "Unlocked":
        raise CaseFailed(f"UnlockConnector of the locked cable answered {reply.status.value}, "
                         "not Unlocked")
    await charge_point.unplug(CONNECTOR)
    await expect_status(cs, CONNECTOR, "Available", after=finishing.seq,
                        why="once the unlocked cable is taken out of the station")


@case(octt="TC_005_3_CS",
      title="EV Side Disconnected - StopTransactionOnEVSideDisconnect = false - "
            "UnlockConnectorOnEVSideDisconnect = false",
      sut="charge-point", profile="Core", versions=("1.6",), spec=EV_SIDE_SPEC)
async def test_ev_side_disconnect_keeps_the_transaction(cs, charge_point, case_version):
    """With StopTransactionOnEVSideDisconnect false, pulling the cable out at the EV does
    not end the transaction: the connector reports SuspendedEV and no StopTransaction is
    sent. The transaction still ends normally, e.g. by RemoteStopTransaction (Accepted;
    StopTransaction with reason Remote; the connector Finishing)."""
    await _configure_ev_side(cs, stop=False, unlock=False)
    start = await start_charging(cs, charge_point, case_version, CONNECTOR, DRIVER_TAG)
    mark = cs.recorder.last_seq
    await charge_point.ev_disconnect(CONNECTOR)
    await expect_status(cs, CONNECTOR, "SuspendedEV", after=mark,
                        why="when the EV side is disconnected during the transaction")
    await expect_none_after(cs, Op.STOP_TRANSACTION, after=mark, during=QUIET,
                            why="after an EV-side disconnect with "
                                "StopTransactionOnEVSideDisconnect false")
    transaction_id = transaction_id_of(start)
    reply = await cs.command(Op.REMOTE_STOP_TRANSACTION, transactionId=transaction_id)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"RemoteStopTransaction of the running transaction {transaction_id} "
                         f"answered {reply.status.value}")
    stop = await expect_after(cs, Op.STOP_TRANSACTION, after=mark,
                              what="StopTransaction after RemoteStopTransaction")
    reason = stop.message.reason.value if stop.message.reason is not None else None
    if stop.message.transaction_id != transaction_id or reason != "Remote":
        raise CaseFailed(f"StopTransaction for transaction {stop.message.transaction_id} with "
                         f"reason {reason}; expected {transaction_id} and Remote",
                         evidence=(stop.seq,))
    await expect_status(cs, CONNECTOR, "Finishing", after=mark,
                        why="after the transaction stopped")


@case(octt="TC_024_CS", title="Start Charging Session - Lock Failure", sut="charge-point",
      profile="Core",
      spec={"1.6": "OCPP 1.6 §4.9 (ConnectorLockFailure), §5.11",
            "1.5": "OCPP 1.5 §4.9 (ConnectorLockFailure), §5.9",
            "1.2": "OCPP 1.2 §4 StatusNotification (ConnectorLockFailure), "
                   "§5 RemoteStartTransaction"},
      requires=(fixed_cable(False), feature("lock_failure")))
async def test_lock_failure_prevents_the_start(cs, charge_point, case_version):
    """A charge point must not deliver energy through a cable it could not lock: when the
    lock fails as the cable goes in for an authorised start, it reports a
    StatusNotification with errorCode ConnectorLockFailure for that connector and sends
    no StartTransaction."""
    await charge_point.lock_failure(CONNECTOR)
    try:
        mark = cs.recorder.last_seq
        reply = await cs.command(Op.REMOTE_START_TRANSACTION, idTag=DRIVER_TAG,
                                 connectorId=CONNECTOR)
        if reply.status.value != "Accepted":
            raise CaseFailed(f"RemoteStartTransaction for an Available connector answered "
                             f"{reply.status.value}")
        if case_version is V16:
            await expect_status(cs, CONNECTOR, "Preparing", after=mark,
                                why="after the accepted RemoteStartTransaction")
        await charge_point.plug_in(CONNECTOR)
        await expect_after(cs, Op.STATUS_NOTIFICATION, after=mark,
                           where=lambda m: m.connector_id == CONNECTOR
                           and m.error_code.value == "ConnectorLockFailure",
                           what="StatusNotification with errorCode ConnectorLockFailure")
        await expect_none_after(cs, Op.START_TRANSACTION, after=mark, during=QUIET,
                                why="although the cable could not be locked")
    finally:
        await charge_point.lock_failure(CONNECTOR, failing=False)
