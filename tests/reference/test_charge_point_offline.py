"""Offline behaviour: the persistent queue, transactionId substitution, retries, power loss."""

from __future__ import annotations

import datetime as dt

import pytest

from ocppcert.messages import Op
from ocppcert.reference.charge_point.station import BootState
from ocppcert.versions import OcppVersion
from tests.reference.charge_point_rig import (  # noqa: F401
    TX_MESSAGES,
    VERSIONS,
    rig_fixture,
    status_values,
)

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16


async def send_local_list(cs, station, *tags, version=V16):
    cp = station.cp_types
    entry = cp.AuthorizationData if version is V16 else cp.AuthorisationData
    field = "local_authorization_list" if version is V16 else "local_authorisation_list"
    items = [entry(id_tag=t, id_tag_info=cp.IdTagInfo(status="Accepted")) for t in tags]
    answer = await cs.command(station, Op.SEND_LOCAL_LIST, update_type="Full", list_version=1,
                              **{field: items})
    assert answer.status.value == "Accepted"


def transaction_id_of(message):
    return getattr(message, "transaction_id", None)


@pytest.mark.parametrize("version", VERSIONS)
async def test_offline_transaction_is_queued_and_delivered_in_order(rig, version):
    config = {"MeterValueSampleInterval": "5"}
    station, cs = await rig.booted(version, config=config)
    if version is V12:
        # 1.2 authorises offline from its cache: learn the tag first
        await station.present_id_tag("LOCAL")
        station.connectors[1].pending = None
    else:
        await send_local_list(cs, station, "LOCAL", version=version)
    station.go_offline()
    assert station.server.open is False
    mark = cs.mark()
    station.plug_in(1)
    assert (await station.present_id_tag("LOCAL", 1))["result"] == "started"
    await station.wait_until(lambda: len(station.queue) >= 3, timeout=5)  # Start + 2 MV
    assert (await station.present_id_tag("LOCAL", 1))["result"] == "stopped"
    queued = [(m.op, m.payload) for m in station.queue.items()]
    assert queued[0][0] is Op.START_TRANSACTION and queued[-1][0] is Op.STOP_TRANSACTION
    assert all("transactionId" not in payload for _, payload in queued)
    station.unplug(1)
    assert cs.since(mark) == []  # nothing went out while offline
    station.go_online()
    await cs.wait(lambda: len(cs.since(mark, *TX_MESSAGES)) == len(queued))
    delivered = cs.since(mark, *TX_MESSAGES)
    assert [r.op for r in delivered] == [op for op, _ in queued]
    transaction_id = cs.next_transaction_id
    for r in delivered[1:]:
        if version is not V12 or r.op is Op.STOP_TRANSACTION:
            assert transaction_id_of(r.message) == transaction_id
    assert delivered[0].message.timestamp < delivered[-1].message.timestamp
    await station.wait_until(lambda: len(station.queue) == 0, timeout=5)
    # the statuses that changed while offline are reported once back online
    await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Available"])


async def test_offline_rules_for_unknown_and_invalid_ids(rig):
    station, cs = await rig.booted(V16, config={"AllowOfflineTxForUnknownId": "false"})
    station.go_offline()
    station.plug_in(1)
    result = await station.present_id_tag("NOBODY", 1)
    assert result["result"] == "rejected"
    station.config.set_local("AllowOfflineTxForUnknownId", "true")
    assert (await station.present_id_tag("NOBODY", 1))["result"] == "started"
    # TC_037_3: back online, the CS says Invalid: StopTransactionOnInvalidId → DeAuthorized
    cs.start_status["NOBODY"] = "Invalid"
    mark = cs.mark()
    station.go_online()
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.reason.value == "DeAuthorized"
    assert stop.transaction_id == cs.next_transaction_id
    assert [r.op for r in cs.since(mark, *TX_MESSAGES)] == [Op.START_TRANSACTION,
                                                           Op.STOP_TRANSACTION]
    # the Invalid answer went into the cache: offline, the id is now refused
    station.go_offline()
    station.plug_in(2)
    assert (await station.present_id_tag("NOBODY", 2))["result"] == "rejected"


async def test_local_authorize_offline_false_refuses_listed_ids(rig):
    station, cs = await rig.booted(V16, config={"LocalAuthorizeOffline": "false"})
    await send_local_list(cs, station, "LISTED")
    station.go_offline()
    assert (await station.present_id_tag("LISTED", 1))["result"] == "rejected"


async def test_central_system_down_queue_waits_then_resumes(rig):
    station, cs = await rig.booted(V16, config={"MeterValueSampleInterval": "5"})
    cs.server.open = False  # the CS answers 503: nobody processes anything
    mark = cs.mark()
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)  # Authorize fails → offline rules; cached? no.
    assert station.connectors[1].tx is None  # unknown id offline, AllowOfflineTx false
    station.config.set_local("AllowOfflineTxForUnknownId", "true")
    assert (await station.present_id_tag("TAG", 1))["result"] == "started"
    await station.wait_until(lambda: len(station.queue) >= 2 and not station.reachable, 5)
    cs.server.open = True
    await cs.wait(lambda: cs.since(mark, Op.START_TRANSACTION))
    await cs.wait(lambda: len(cs.since(mark, Op.METER_VALUES)) >= 2)
    for r in cs.since(mark, Op.METER_VALUES):
        assert r.message.transaction_id == cs.next_transaction_id
    # nothing was counted as a failed attempt: transport errors are not attempts
    assert station.dropped == []


async def test_failed_processing_is_retried_with_growing_intervals(rig):
    station, cs = await rig.booted(V16, config={"TransactionMessageAttempts": "3",
                                                "TransactionMessageRetryInterval": "10"})
    cs.faults[Op.START_TRANSACTION] = 2
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)
    await cs.wait_op(Op.START_TRANSACTION, count=3)
    times = [r.time for r in cs.received if r.op is Op.START_TRANSACTION]
    first_gap = (times[1] - times[0]).total_seconds()
    second_gap = (times[2] - times[1]).total_seconds()
    assert first_gap >= 0.2 * 0.9 and second_gap >= 0.4 * 0.9  # 10 s × 1, × 2 (scale 0.02)
    await station.wait_until(lambda: station.connectors[1].tx.transaction_id is not None, 5)
    assert station.dropped == []


async def test_message_dropped_after_attempts_and_dependants_never_sent_with_a_placeholder(rig):
    station, cs = await rig.booted(V16, config={"TransactionMessageAttempts": "2",
                                                "TransactionMessageRetryInterval": "1",
                                                "MeterValueSampleInterval": "5"})
    cs.faults[Op.START_TRANSACTION] = 2
    mark = cs.mark()
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)
    await station.wait_until(lambda: len(station.dropped) >= 1, timeout=5)
    assert station.dropped[0]["op"] == "StartTransaction"
    await station.wait_until(lambda: len(station.queue.items()) >= 1
                             and station.queue.head().op is Op.METER_VALUES or
                             len(station.dropped) >= 2, timeout=5)
    await station.present_id_tag("TAG", 1)
    await station.wait_until(lambda: len(station.queue) == 0, timeout=5)
    # the MeterValues and StopTransaction of that transaction had no transactionId to carry
    assert not cs.since(mark, Op.STOP_TRANSACTION, Op.METER_VALUES)
    assert {d["op"] for d in station.dropped} >= {"StartTransaction", "StopTransaction"}
    # the queue goes on with the next transaction
    await station.present_id_tag("NEXT", 1)
    await cs.wait(lambda: len(cs.since(mark, Op.START_TRANSACTION)) == 3)


async def test_a_faulted_stop_is_retried_then_the_queue_continues(rig):
    station, cs = await rig.booted(V16, config={"TransactionMessageAttempts": "3",
                                                "TransactionMessageRetryInterval": "1"})
    cs.faults[Op.STOP_TRANSACTION] = 1
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)
    await cs.wait_op(Op.START_TRANSACTION)
    await station.present_id_tag("TAG", 1)
    stops = await cs.wait_op(Op.STOP_TRANSACTION, count=2)
    assert stops[0].transaction_id == stops[1].transaction_id == cs.next_transaction_id
    await station.wait_until(lambda: len(station.queue) == 0, timeout=5)


# ---- power ------------------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_power_cut_then_reboot_closes_the_transaction_power_loss(rig, version):
    station, cs = await rig.booted(version, config={"MeterValueSampleInterval": "5"})
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)
    await cs.wait_op(Op.START_TRANSACTION)
    await station.wait_until(lambda: station.connectors[1].meter.register() > 100, timeout=5)
    await station.power_cut()
    assert station.server.open is False
    mark = cs.mark()
    await station.reboot()
    await cs.wait(lambda: cs.since(mark, Op.STOP_TRANSACTION))
    after = [r.op for r in cs.since(mark)]
    assert after.index(Op.BOOT_NOTIFICATION) < after.index(Op.STOP_TRANSACTION)
    stop = cs.since(mark, Op.STOP_TRANSACTION)[0].message
    assert stop.transaction_id == cs.next_transaction_id and stop.meter_stop > 0
    if version is V16:
        assert stop.reason.value == "PowerLoss"
    assert station.connectors[1].tx is None
    # the cable is still in: the connector is not Available
    assert station.status_of(1)[0] == ("Finishing" if version is V16 else "Occupied")


async def test_power_cut_with_backup_power_stops_before_going_down(rig):
    station, cs = await rig.booted(V16, backup_power=True)
    station.plug_in(1)
    await station.present_id_tag("TAG", 1)
    await cs.wait_op(Op.START_TRANSACTION)
    await station.wait_until(lambda: len(station.queue) == 0)
    mark = cs.mark()
    await station.power_cut()
    # delivered on backup power, before going down (OCTT TC_032_1)
    assert station.queue.items() == []
    stop = cs.since(mark, Op.STOP_TRANSACTION)[0].message
    assert stop.reason.value == "PowerLoss"
    await station.reboot()
    await cs.wait(lambda: cs.since(mark, Op.BOOT_NOTIFICATION))
    assert len(cs.since(mark, Op.STOP_TRANSACTION)) == 1


async def test_queue_survives_a_new_station_on_the_same_database(rig):
    first, cs = await rig.booted(V16, config={"AllowOfflineTxForUnknownId": "true"})
    first.go_offline()
    first.plug_in(1)
    await first.present_id_tag("TAG", 1)
    await first.present_id_tag("TAG", 1)
    queued = [m.op for m in first.queue.items()]
    assert queued == [Op.START_TRANSACTION, Op.STOP_TRANSACTION]
    mark = cs.mark()
    await first.stop()
    second = await rig.station(V16)
    await cs.wait(lambda: len(cs.since(mark, *TX_MESSAGES)) == 2)
    assert [r.op for r in cs.since(mark, *TX_MESSAGES)] == queued
    assert cs.since(mark, Op.STOP_TRANSACTION)[0].message.transaction_id == cs.next_transaction_id
    await second.wait_until(lambda: second.boot_state is BootState.ACCEPTED, timeout=5)


async def test_clock_offset_moves_timestamps(rig):
    station, cs = await rig.booted(V16)
    station.clock.set_offset(dt.timedelta(days=-2))
    mark = cs.mark()
    station.plug_in(1)
    await cs.wait(lambda: cs.since(mark, Op.STATUS_NOTIFICATION))
    sent = cs.since(mark, Op.STATUS_NOTIFICATION)[0].message.timestamp
    assert abs((dt.datetime.now(dt.UTC) - sent) - dt.timedelta(days=2)) < dt.timedelta(seconds=5)
