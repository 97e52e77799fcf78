"""Offline behaviour, the OCTT cases (TC_036 to TC_039): transactions that run, start or
stop while the Central System cannot be reached, and the queue that carries their
messages once it can."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature
from ocppcert.verdicts import CaseFailed

from ._support import (
    ARRIVAL,
    OFFLINE_AUTHORISATION,
    TAG_A,
    V16,
    allow_offline_start,
    answer_start,
    configure,
    expect_stop,
    is_tag,
    keep_offline,
    meter_timestamps,
    new_transaction_id,
    now,
    sampled_contexts,
    sampled_formats,
    seconds,
    start_transaction,
    transaction_id_of,
)

SAMPLE_INTERVAL = 1  # s: MeterValueSampleInterval during the offline cases
SAMPLE_TOLERANCE = 0.6  # s: how far apart two samples may be from the interval
OFFLINE_SAMPLES = 3  # periodic samples the charge point must take while offline


async def _expect_status(cs, connector: int, status: str, *, after: str):
    return await cs.expect(Op.STATUS_NOTIFICATION, timeout=ARRIVAL,
                           where=lambda m: m.connector_id == connector
                           and m.status.value == status,
                           what=f"StatusNotification {status} for connector {connector} "
                                f"{after}")


@case(octt="TC_036_CS", title="Connection Loss During Transaction", sut="charge-point",
      profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.7, §3.16, §4.7"})
async def test_connection_loss_during_transaction(cs, charge_point, case_version):
    """Periodic meter values of a transaction are transaction-related messages. While the
    Central System cannot be reached the charge point keeps every one it would have sent,
    and once the connection is back it delivers them in chronological order, before any
    newer one, each stamped with the moment it was sampled (so that consecutive samples
    are MeterValueSampleInterval apart), with context Sample.Periodic (or none) and format
    Raw (or none), and carrying the transaction's id (§4.7). OCPP 1.5 and 1.2 only oblige
    the charge point to queue Start- and StopTransaction, so this case is 1.6 only."""
    await configure(cs, "MeterValueSampleInterval", str(SAMPLE_INTERVAL))
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    await start_transaction(cs, charge_point, TAG_A, 1)
    last_online = await cs.expect(Op.METER_VALUES, timeout=SAMPLE_INTERVAL * 3 + 5,
                                  where=lambda m: m.connector_id == 1,
                                  what="a periodic MeterValues while charging")
    async with cs.offline("unavailable"):
        went_offline = now()
        await keep_offline(cs, OFFLINE_SAMPLES * SAMPLE_INTERVAL + 0.5,
                           "periodic samples pile up")
    came_back = now()
    # The charge point's own clock may differ from ours; durations do not.
    sampled_at_reconnection = (meter_timestamps(last_online.message, case_version)[-1]
                               + (came_back - last_online.at))
    received = [last_online]
    while True:
        mv = await cs.expect(Op.METER_VALUES, timeout=ARRIVAL, where=lambda m: m.connector_id == 1,
                             what="the MeterValues sampled while offline, then a new one")
        received.append(mv)
        if max(meter_timestamps(mv.message, case_version)) > sampled_at_reconnection:
            break
        if len(received) > 50:
            raise CaseFailed("more than 50 MeterValues without one sampled after the "
                             "connection came back", evidence=(mv.seq,))
    for mv in received:
        if mv.message.transaction_id != transaction_id:
            raise CaseFailed(f"MeterValues carries transactionId {mv.message.transaction_id}, "
                             f"not {transaction_id}", evidence=(mv.seq,))
        bad = [c for c in sampled_contexts(mv.message, case_version)
               if c not in (None, "Sample.Periodic")]
        bad += [f for f in sampled_formats(mv.message, case_version) if f not in (None, "Raw")]
        if bad:
            raise CaseFailed(f"a periodic sample has context/format {bad[0]}; expected "
                             "Sample.Periodic / Raw or none", evidence=(mv.seq,))
    stamps = [(meter_timestamps(mv.message, case_version)[0], mv) for mv in received]
    pairs = list(zip(stamps, stamps[1:], strict=False))
    for (earlier, first), (later, second) in pairs:
        if seconds(later, earlier) <= 0:
            raise CaseFailed(f"MeterValues not in chronological order: one sampled at "
                             f"{later.isoformat()} delivered after one sampled at "
                             f"{earlier.isoformat()}", evidence=(first.seq, second.seq))
    for (earlier, first), (later, second) in pairs:
        gap = seconds(later, earlier)
        if abs(gap - SAMPLE_INTERVAL) > SAMPLE_TOLERANCE:
            raise CaseFailed(f"consecutive periodic samples are {gap:.2f} s apart with "
                             f"MeterValueSampleInterval={SAMPLE_INTERVAL}: samples taken while "
                             "offline are missing or not stamped when they were taken",
                             evidence=(first.seq, second.seq))
    offline_for = (came_back - went_offline).total_seconds()
    queued = len(received) - 2
    if queued < int(offline_for / SAMPLE_INTERVAL) - 1:
        raise CaseFailed(f"{queued} MeterValues delivered for {offline_for:.1f} s offline "
                         f"with MeterValueSampleInterval={SAMPLE_INTERVAL}",
                         evidence=tuple(mv.seq for mv in received))


@case(octt="TC_037_1_CS", title="Offline Start Transaction - Valid IdTag", sut="charge-point",
      profile="Core",
      spec={"1.6": "OCPP 1.6 §3.5, §3.7, §4.8", "1.5": "OCPP 1.5 §3.2, §4.8",
            "1.2": "OCPP 1.2 §3 (offline), §4 StartTransaction"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_offline_start_valid_id_tag(cs, charge_point, case_version, pics):
    """A charge point that can authorise an idTag locally (its local list, its cache or, in
    1.6, AllowOfflineTxForUnknownId) may start a transaction while the Central System is
    unreachable. It keeps the StartTransaction and delivers it once the connection is back,
    for the connector and idTag used; in 1.6 it then reports the connector Charging."""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    async with cs.offline("refuse"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        await keep_offline(cs, 1.0, "the transaction has started offline")
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            what="the StartTransaction of the offline transaction")
    if start.message.connector_id != 1 or not is_tag(start.message, TAG_A):
        raise CaseFailed(f"StartTransaction for connector {start.message.connector_id}, idTag "
                         f"{start.message.id_tag!r}; expected connector 1, {TAG_A}",
                         evidence=(start.seq,))
    if case_version is V16:
        await _expect_status(cs, 1, "Charging", after="once the connection is back")


async def _offline_start_answered_invalid(cs, charge_point, case_version, pics, stop: bool):
    """TC_037_2 / TC_037_3 up to the Invalid StartTransaction.conf; → its transactionId."""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    await configure(cs, "StopTransactionOnInvalidId", "true" if stop else "false")
    await configure(cs, "MaxEnergyOnInvalidId", "0", optional=True)
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id, "Invalid")
    async with cs.offline("drop" if not stop else "refuse"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        await keep_offline(cs, 1.0, "the transaction has started offline")
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            where=lambda m: is_tag(m, TAG_A),
                            what="the StartTransaction of the offline transaction")
    return transaction_id_of(start)


@case(octt="TC_037_2_CS",
      title="Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId = false",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.5, §4.8, §9.1 StopTransactionOnInvalidId"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_offline_start_invalid_keep_transaction(cs, charge_point, case_version, pics):
    """When the StartTransaction of a transaction started offline is answered with an
    idTagInfo that is not Accepted and StopTransactionOnInvalidId is false, the charge
    point does not stop the transaction: it only stops delivering energy (the connector
    becomes SuspendedEVSE, with MaxEnergyOnInvalidId 0)."""
    transaction_id = await _offline_start_answered_invalid(cs, charge_point, case_version, pics,
                                                           stop=False)
    await _expect_status(cs, 1, "SuspendedEVSE", after="after the Invalid StartTransaction.conf")
    await cs.expect_none(Op.STOP_TRANSACTION, during=2,
                         where=lambda m: m.transaction_id == transaction_id,
                         why="although StopTransactionOnInvalidId is false")


@case(octt="TC_037_3_CS",
      title="Offline Start Transaction - Invalid IdTag - StopTransactionOnInvalidId = true",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.5, §4.8, §4.10, §9.1 StopTransactionOnInvalidId"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_offline_start_invalid_stop_transaction(cs, charge_point, case_version, pics):
    """When the StartTransaction of a transaction started offline is answered with an
    idTagInfo that is not Accepted and StopTransactionOnInvalidId is true, the charge point
    stops the transaction with reason DeAuthorized, using the transactionId it was given,
    and the connector (cable still in) becomes Finishing."""
    transaction_id = await _offline_start_answered_invalid(cs, charge_point, case_version, pics,
                                                           stop=True)
    stop = await expect_stop(cs, transaction_id, what="StopTransaction of the deauthorised "
                                                     "transaction")
    reason = stop.message.reason.value if stop.message.reason is not None else None
    if reason != "DeAuthorized":
        raise CaseFailed(f"StopTransaction reason is {reason}; expected DeAuthorized",
                         evidence=(stop.seq,))
    await _expect_status(cs, 1, "Finishing", after="after the deauthorised transaction stopped")


@case(octt="TC_038_CS", title="Offline Stop Transaction", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.7, §4.10", "1.5": "OCPP 1.5 §3.2, §4.10",
            "1.2": "OCPP 1.2 §3 (offline), §4 StopTransaction"},
      requires=(feature("local_stop"),))
async def test_offline_stop_transaction(cs, charge_point, case_version):
    """A transaction stopped at the station while the Central System is unreachable still
    ends: the charge point keeps the StopTransaction and delivers it once the connection is
    back, with the transaction's id and a meterStop not below its meterStart (1.6: reason
    Local or none). In 1.6 the connector, cable still in, is reported Finishing."""
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    start = await start_transaction(cs, charge_point, TAG_A, 1)
    async with cs.offline("unavailable"):
        await charge_point.local_stop(1)
        await keep_offline(cs, 1.0, "the transaction has stopped offline")
    stop = await expect_stop(cs, transaction_id, what="the StopTransaction kept while offline")
    if stop.message.meter_stop < start.message.meter_start:
        raise CaseFailed(f"meterStop {stop.message.meter_stop} is below meterStart "
                         f"{start.message.meter_start}", evidence=(start.seq, stop.seq))
    if case_version is V16:
        reason = stop.message.reason.value if stop.message.reason is not None else None
        if reason not in (None, "Local"):
            raise CaseFailed(f"StopTransaction reason {reason} for a stop at the station; "
                             "expected Local or none", evidence=(stop.seq,))
        await _expect_status(cs, 1, "Finishing", after="once the connection is back")


@case(octt="TC_039_CS", title="Offline Transaction", sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.5, §3.7, §4.8, §4.10", "1.5": "OCPP 1.5 §3.2, §4.8, §4.10",
            "1.2": "OCPP 1.2 §3 (offline), §4 StartTransaction, StopTransaction"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_offline_transaction(cs, charge_point, case_version, pics):
    """A transaction that starts and stops while the Central System is unreachable is
    reported in full once the connection is back: first its StartTransaction, then its
    StopTransaction, which carries the transactionId the Central System gave in answer to
    that StartTransaction (the charge point learns it only then), a timestamp not before
    the start and a meterStop not below the meterStart (1.6: reason Local or none). The
    driver ends the transaction at the station by presenting the same idTag again."""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    async with cs.offline("drop"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.unplug(1)
        await keep_offline(cs, 1.0, "the transaction has started and stopped offline")
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            what="the StartTransaction of the offline transaction")
    stop = await expect_stop(cs, transaction_id, what="the StopTransaction of the offline "
                                                     "transaction")
    if stop.seq < start.seq:
        raise CaseFailed("StopTransaction delivered before the StartTransaction",
                         evidence=(stop.seq, start.seq))
    if seconds(stop.message.timestamp, start.message.timestamp) < 0:
        raise CaseFailed(f"the transaction stops ({stop.message.timestamp.isoformat()}) before "
                         f"it starts ({start.message.timestamp.isoformat()})",
                         evidence=(start.seq, stop.seq))
    if stop.message.meter_stop < start.message.meter_start:
        raise CaseFailed(f"meterStop {stop.message.meter_stop} is below meterStart "
                         f"{start.message.meter_start}", evidence=(start.seq, stop.seq))
    if case_version is V16:
        reason = stop.message.reason.value if stop.message.reason is not None else None
        if reason not in (None, "Local"):
            raise CaseFailed(f"StopTransaction reason {reason} for a stop at the station; "
                             "expected Local or none", evidence=(stop.seq,))
