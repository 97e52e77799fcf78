"""The queue of transaction-related messages, beyond the OCTT cases: order, original
timestamps, the transactionId of a late StartTransaction, what may overtake the queue,
retries after a SOAP fault, and surviving a reboot while offline."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import connectors
from ocppcert.soap import FaultSubcode, SoapFault
from ocppcert.verdicts import CaseFailed

from ._support import (
    ARRIVAL,
    OFFLINE_AUTHORISATION,
    TAG_A,
    TAG_B,
    V12,
    V16,
    allow_offline_start,
    answer_start,
    arriving_from_now,
    aware,
    configure,
    expect_stop,
    is_tag,
    keep_offline,
    meter_timestamps,
    new_transaction_id,
    now,
    received_since,
    sampled_contexts,
    seconds,
    start_transaction,
)

STEP = 1.5  # s between the offline events whose timestamps are compared
# s: how much the delay from event to timestamp may vary (whole-second stamps, driving)
CLOCK_TOLERANCE = 1.5
SAMPLE_INTERVAL = 1  # s: MeterValueSampleInterval
SAMPLE_TOLERANCE = 0.6  # s
RETRY_ATTEMPTS = 3  # TransactionMessageAttempts
RETRY_INTERVAL = 1  # s: TransactionMessageRetryInterval
RETRY_EARLY = 0.25  # s: a retry may come this much before its time (timer resolution)
RETRY_LATE = 2.5  # s: ... and this much after it
HOLD = 5.0  # s: longest the harness keeps a StartTransaction.conf back


def _check_stamped_when_it_happened(events: list[tuple[str, dt.datetime, Any]]) -> None:
    """Each (what, moment we caused it, message received) was stamped when it happened:
    the charge point's clock may be off, but then by the same amount for every event, so
    timestamp − moment must be (nearly) the same for all of them."""
    offsets = [(seconds(r.message.timestamp, moment), what, r) for what, moment, r in events]
    low, high = min(offsets, key=lambda o: o[0]), max(offsets, key=lambda o: o[0])
    if high[0] - low[0] > CLOCK_TOLERANCE:
        raise CaseFailed(
            f"the timestamps are not those of the events: {high[1]} is stamped "
            f"{high[0]:+.2f} s from when it happened, {low[1]} {low[0]:+.2f} s (a queued "
            "message must carry the time of its event, not of its delivery)",
            evidence=(low[2].seq, high[2].seq))


@case(own="OFFLINE_001_CS", title="Queued transaction messages: order and original timestamps",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.7", "1.5": "OCPP 1.5 §3.2", "1.2": "OCPP 1.2 §3 (offline)"},
      requires=(OFFLINE_AUTHORISATION, connectors(2)))
async def test_queue_order_and_timestamps(cs, charge_point, case_version, pics):
    """While the Central System is unreachable the charge point keeps every Start- and
    StopTransaction, and once the connection is back delivers them in the order they arose
    (across connectors: two interleaved transactions come out start, start, stop, stop),
    each with the timestamp of the moment it happened, not of its delivery."""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A, TAG_B))
    first_id, second_id = new_transaction_id(), new_transaction_id()
    answer_start(cs, first_id)
    answer_start(cs, second_id)
    moments: list[dt.datetime] = []
    async with cs.offline("refuse"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        moments.append(now())
        await keep_offline(cs, STEP, "time passes between the events")
        await charge_point.present_id_tag(TAG_B, 2)
        await charge_point.plug_in(2)
        moments.append(now())
        await keep_offline(cs, STEP, "time passes between the events")
        await charge_point.present_id_tag(TAG_A, 1)  # the same idTag ends its transaction
        moments.append(now())
        await keep_offline(cs, STEP, "time passes between the events")
        await charge_point.present_id_tag(TAG_B, 2)
        moments.append(now())
    first_start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                                  what="the first queued StartTransaction")
    second_start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                                   what="the second queued StartTransaction")
    if (first_start.message.connector_id, second_start.message.connector_id) != (1, 2):
        raise CaseFailed(f"StartTransactions delivered for connectors "
                         f"{first_start.message.connector_id}, "
                         f"{second_start.message.connector_id}; they arose on 1, then 2",
                         evidence=(first_start.seq, second_start.seq))
    first_stop = await cs.expect(Op.STOP_TRANSACTION, timeout=ARRIVAL,
                                 what="the first queued StopTransaction")
    second_stop = await cs.expect(Op.STOP_TRANSACTION, timeout=ARRIVAL,
                                  what="the second queued StopTransaction")
    delivered = [first_start, second_start, first_stop, second_stop]
    order = [r.seq for r in delivered]
    if order != sorted(order):
        raise CaseFailed("the queued messages were not delivered in the order they arose "
                         "(start 1, start 2, stop 1, stop 2)", evidence=tuple(order))
    stops = (first_stop.message.transaction_id, second_stop.message.transaction_id)
    if stops != (first_id, second_id):
        raise CaseFailed(f"StopTransactions delivered for transactions {stops}; the first to stop "
                         f"was {first_id} (connector 1), then {second_id}",
                         evidence=(first_stop.seq, second_stop.seq))
    _check_stamped_when_it_happened([
        ("the start on connector 1", moments[0], first_start),
        ("the start on connector 2", moments[1], second_start),
        ("the stop on connector 1", moments[2], first_stop),
        ("the stop on connector 2", moments[3], second_stop)])


@case(own="OFFLINE_002_CS", title="Meter values sampled offline: queued between start and stop",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.7, §3.16"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_offline_samples_between_start_and_stop(cs, charge_point, case_version, pics):
    """Periodic meter values are transaction-related (1.6): those sampled during a
    transaction that runs entirely offline are queued with its StartTransaction and
    StopTransaction and delivered in chronological order, so after the StartTransaction,
    before the StopTransaction, MeterValueSampleInterval apart and stamped within the
    transaction, with context Sample.Periodic (or none). (1.5 and 1.2 only oblige the charge
    point to queue Start- and StopTransaction.)"""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    await configure(cs, "MeterValueSampleInterval", str(SAMPLE_INTERVAL))
    mark = len(cs.inbox)
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    async with cs.offline("drop"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        started = now()
        await keep_offline(cs, 3 * SAMPLE_INTERVAL + 0.5, "periodic samples pile up")
        await charge_point.present_id_tag(TAG_A, 1)
        stopped = now()
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            what="the queued StartTransaction")
    stop = await expect_stop(cs, transaction_id, what="the queued StopTransaction")
    late = [r for r in received_since(cs, mark, Op.METER_VALUES)
            if r.seq > stop.seq and r.message.transaction_id == transaction_id]
    if not late:
        await cs.expect_none(Op.METER_VALUES, during=1.0,
                             where=arriving_from_now(
                                 cs, lambda m: m.transaction_id == transaction_id),
                             why=f"for transaction {transaction_id} after its StopTransaction")
    else:
        raise CaseFailed("MeterValues of the transaction delivered after its StopTransaction",
                         evidence=(stop.seq, late[0].seq))
    samples = [r for r in received_since(cs, mark, Op.METER_VALUES)
               if r.message.connector_id == 1]
    early = [r for r in samples if r.seq < start.seq]
    if early:
        raise CaseFailed("MeterValues of the transaction delivered before its StartTransaction",
                         evidence=(early[0].seq, start.seq))
    for r in samples:
        if r.message.transaction_id != transaction_id:
            raise CaseFailed(f"MeterValues of the offline transaction carries transactionId "
                             f"{r.message.transaction_id}, not {transaction_id}",
                             evidence=(r.seq,))
        bad = [c for c in sampled_contexts(r.message, case_version)
               if c not in (None, "Sample.Periodic")]
        if bad:
            raise CaseFailed(f"a periodic sample has context {bad[0]}", evidence=(r.seq,))
    wanted = int((stopped - started).total_seconds() / SAMPLE_INTERVAL) - 1
    if len(samples) < max(wanted, 2):
        raise CaseFailed(f"{len(samples)} MeterValues delivered for a transaction that ran "
                         f"{(stopped - started).total_seconds():.1f} s offline with "
                         f"MeterValueSampleInterval={SAMPLE_INTERVAL}",
                         evidence=(start.seq, stop.seq, *(r.seq for r in samples)))
    stamps = [aware(start.message.timestamp)]
    stamps += [meter_timestamps(r.message, case_version)[0] for r in samples]
    stamps.append(aware(stop.message.timestamp))
    for index, (earlier, later) in enumerate(zip(stamps, stamps[1:], strict=False)):
        gap = seconds(later, earlier)
        inner = 0 < index < len(stamps) - 2
        if gap <= 0 or gap > SAMPLE_INTERVAL + SAMPLE_TOLERANCE or (
                inner and gap < SAMPLE_INTERVAL - SAMPLE_TOLERANCE):
            raise CaseFailed(
                f"the transaction's timestamps in delivery order are "
                f"{', '.join(s.time().isoformat() for s in stamps)}: samples are not stamped "
                f"{SAMPLE_INTERVAL} s apart within the transaction",
                evidence=(start.seq, *(r.seq for r in samples), stop.seq))


@case(own="OFFLINE_003_CS",
      title="New transaction messages wait for the queue; Authorize may overtake it",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.7", "1.5": "OCPP 1.5 §3.2", "1.2": "OCPP 1.2 §3 (offline)"},
      requires=(OFFLINE_AUTHORISATION, connectors(2)))
async def test_new_transaction_waits_for_queue(cs, charge_point, case_version, pics):
    """A transaction message that arises while older ones are still queued waits for them
    (1.6: it SHALL wait until the queue is empty; 1.5/1.2: queued messages go out in
    order). Messages that are not transaction-related (Authorize, StatusNotification) MAY
    overtake the queue, so whether they do is not judged here: the harness holds back its
    answer to the first queued StartTransaction for a while, during which a new
    transaction is started online on another connector; its StartTransaction must come
    after the StopTransaction queued before it."""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    queued_id, new_id = new_transaction_id(), new_transaction_id()
    arrived, release = asyncio.Event(), asyncio.Event()

    async def held_back(request: Any, ctx: Any) -> dict[str, Any]:
        arrived.set()
        try:
            await asyncio.wait_for(release.wait(), timeout=HOLD)
        except TimeoutError:
            pass
        return {"transactionId": queued_id, "idTagInfo": {"status": "Accepted"}}

    cs.answer(Op.START_TRANSACTION, held_back)
    answer_start(cs, new_id)
    async with cs.offline("unavailable"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        await charge_point.present_id_tag(TAG_A, 1)
        await keep_offline(cs, 0.5, "a transaction has started and stopped offline")
    try:
        # The answer to the queued StartTransaction is being held back from here on.
        await asyncio.wait_for(arrived.wait(), timeout=ARRIVAL)
    except TimeoutError:
        raise CaseFailed(f"the charge point did not send the queued StartTransaction within "
                         f"{ARRIVAL:g} s of the connection coming back") from None
    try:
        await charge_point.present_id_tag(TAG_B, 2)
        await charge_point.plug_in(2)
    finally:
        release.set()
    queued_start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                                   where=lambda m: is_tag(m, TAG_A),
                                   what="the queued StartTransaction")
    queued_stop = await expect_stop(cs, queued_id, what="the queued StopTransaction")
    new_start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                                where=lambda m: is_tag(m, TAG_B),
                                what="the StartTransaction of the new transaction")
    if new_start.seq < queued_stop.seq:
        raise CaseFailed("the new transaction's StartTransaction overtook the StopTransaction "
                         "that was queued before it", evidence=(queued_stop.seq, new_start.seq))
    if new_start.seq < queued_start.seq:
        raise CaseFailed("the new StartTransaction overtook the queued one",
                         evidence=(queued_start.seq, new_start.seq))


@case(own="OFFLINE_004_CS",
      title="The transactionId of a late StartTransaction is used by the queued messages",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.7, §4.7, §4.8, §4.10", "1.5": "OCPP 1.5 §3.2, §4.7, §4.10",
            "1.2": "OCPP 1.2 §3 (offline), §4 StopTransaction"},
      requires=(OFFLINE_AUTHORISATION,))
async def test_late_transaction_id_is_used(cs, charge_point, case_version, pics):
    """The transactionId is the Central System's: it is known only from the answer to the
    StartTransaction. For a transaction that ran offline the charge point must put that id
    in the queued StopTransaction and in the transaction's MeterValues (1.6 §4.7: each
    carries it; 1.5: where one names a transaction), never a placeholder such as -1 or a
    number of its own. (1.2 MeterValues have no transactionId.)"""
    await allow_offline_start(cs, charge_point, case_version, pics, (TAG_A,))
    if case_version is not V12:
        await configure(cs, "MeterValueSampleInterval", str(SAMPLE_INTERVAL))
    mark = len(cs.inbox)
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    async with cs.offline("refuse"):
        await charge_point.present_id_tag(TAG_A, 1)
        await charge_point.plug_in(1)
        await keep_offline(cs, 2 * SAMPLE_INTERVAL + 0.5, "the transaction runs offline")
        await charge_point.present_id_tag(TAG_A, 1)
    start = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                            what="the queued StartTransaction")
    await expect_stop(cs, transaction_id, what="the queued StopTransaction")
    if case_version is V12:
        return  # 1.2 MeterValues carry no transactionId
    for r in received_since(cs, mark, Op.METER_VALUES):
        named = r.message.transaction_id
        if named != transaction_id and (named is not None or case_version is V16):
            raise CaseFailed(f"MeterValues of the offline transaction carries transactionId "
                             f"{named}; the Central System assigned {transaction_id}",
                             evidence=(start.seq, r.seq))


@case(own="OFFLINE_005_CS",
      title="A transaction message the Central System fails to process: retries, then skipped",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.7.1, §9.1 TransactionMessageAttempts / "
                   "TransactionMessageRetryInterval; OCPP-S 1.6 errata (faults)"},
      requires=(connectors(2),))
async def test_retries_after_soap_fault(cs, charge_point, case_version):
    """When the Central System answers a transaction-related message with a SOAP fault
    (it failed to process it), the charge point sends it again: TransactionMessageAttempts
    times in all, waiting TransactionMessageRetryInterval × (transmissions so far) before
    each retransmission. Only after that may it skip the message, and it then goes on with
    the next queued one; it does not send the skipped message again."""
    await configure(cs, "TransactionMessageAttempts", str(RETRY_ATTEMPTS))
    await configure(cs, "TransactionMessageRetryInterval", str(RETRY_INTERVAL))
    failing_id, next_id = new_transaction_id(), new_transaction_id()
    answer_start(cs, failing_id)
    await start_transaction(cs, charge_point, TAG_A, 1)
    fault = SoapFault(FaultSubcode.INTERNAL_ERROR, "the Central System could not process it")
    cs.answer(Op.STOP_TRANSACTION, fault, times=RETRY_ATTEMPTS + 3)
    answer_start(cs, next_id)
    await charge_point.present_id_tag(TAG_A, 1)  # stops the transaction
    await charge_point.present_id_tag(TAG_B, 2)  # and a new one starts behind it
    await charge_point.plug_in(2)
    attempts = []
    for number in range(1, RETRY_ATTEMPTS + 1):
        wait = RETRY_INTERVAL * (number - 1) + RETRY_LATE + ARRIVAL * (number == 1)
        attempts.append(await expect_stop(
            cs, failing_id, timeout=wait,
            what=f"transmission {number} of {RETRY_ATTEMPTS} of the StopTransaction the "
                 f"Central System failed to process"))
    for number, (earlier, later) in enumerate(zip(attempts, attempts[1:], strict=False), 1):
        gap = (later.at - earlier.at).total_seconds()
        due = RETRY_INTERVAL * number
        if not due - RETRY_EARLY <= gap <= due + RETRY_LATE:
            raise CaseFailed(
                f"retransmission {number} came {gap:.2f} s after the previous one; with "
                f"TransactionMessageRetryInterval={RETRY_INTERVAL} it is due after {due} s "
                f"({number} transmission(s) so far)", evidence=(earlier.seq, later.seq))
    await cs.expect_none(Op.STOP_TRANSACTION, during=RETRY_INTERVAL * RETRY_ATTEMPTS + 1.5,
                         where=lambda m: m.transaction_id == failing_id,
                         why=f"a {RETRY_ATTEMPTS + 1}th time; TransactionMessageAttempts is "
                             f"{RETRY_ATTEMPTS}")
    following = await cs.expect(Op.START_TRANSACTION, timeout=ARRIVAL,
                                where=lambda m: is_tag(m, TAG_B),
                                what="the next queued message once the failing one is skipped")
    if following.seq < attempts[-1].seq:
        raise CaseFailed("the next queued message went out before the failing one was retried "
                         f"{RETRY_ATTEMPTS} times", evidence=(following.seq, attempts[-1].seq))


@case(own="OFFLINE_006_CS", title="The queue survives a reboot while offline",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.7, §4.10", "1.5": "OCPP 1.5 §3.2, §4.10",
            "1.2": "OCPP 1.2 §3 (offline), §4 StopTransaction"})
async def test_queue_survives_reboot(cs, charge_point, case_version):
    """A transaction message the charge point could not deliver is not lost when it loses
    power before the connection comes back: after the reboot and its BootNotification, it
    delivers the queued StopTransaction, with the transaction's id and the time the
    transaction really stopped."""
    transaction_id = new_transaction_id()
    answer_start(cs, transaction_id)
    start = await start_transaction(cs, charge_point, TAG_A, 1)
    async with cs.offline("refuse"):
        await charge_point.present_id_tag(TAG_A, 1)  # stops the transaction
        stopped = now()
        await keep_offline(cs, 1.0, "the StopTransaction is queued")
        await charge_point.power_cut()
        await charge_point.power_restore()
        await keep_offline(cs, 1.5, "the rebooted charge point cannot boot yet")
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=ARRIVAL + 15,
                           what="BootNotification after the reboot")
    stop = await expect_stop(cs, transaction_id, timeout=ARRIVAL + 15,
                             what="the StopTransaction queued before the power cut")
    if stop.seq < boot.seq:
        raise CaseFailed("StopTransaction sent before the BootNotification after the reboot",
                         evidence=(stop.seq, boot.seq))
    _check_stamped_when_it_happened([("the start (delivered online)", start.at, start),
                                     ("the stop (queued, then rebooted)", stopped, stop)])
    if stop.message.meter_stop < start.message.meter_start:
        raise CaseFailed(f"meterStop {stop.message.meter_stop} is below meterStart "
                         f"{start.message.meter_start}", evidence=(start.seq, stop.seq))
