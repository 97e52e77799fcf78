"""The reference charge point against a Central System double, over real HTTP on loopback.

Boot, status notifications, heartbeats, transactions with meter values, authorisation.
"""

from __future__ import annotations

import pytest

from ocppcert.messages import Op
from ocppcert.reference.charge_point.station import BootState
from ocppcert.versions import OcppVersion
from tests.reference.charge_point_rig import (  # noqa: F401
    VERSIONS,
    rig_fixture,
    status_values,
)

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16


@pytest.mark.parametrize("version", VERSIONS)
async def test_boot_then_status_of_every_connector_then_heartbeats(rig, version):
    cs = await rig.central_system()
    cs.boot_interval = 5  # × time_scale 0.02 = 0.1 s
    station = await rig.station(version, connectors=2)
    boot = (await cs.wait_op(Op.BOOT_NOTIFICATION))[0]
    assert boot.charge_point_vendor == "ocppcert" and boot.firmware_version == "1.0.0"
    statuses = await cs.wait_op(Op.STATUS_NOTIFICATION, count=3)
    assert sorted(s.connector_id for s in statuses) == [0, 1, 2]
    assert {s.status.value for s in statuses} == {"Available"}
    assert {s.error_code.value for s in statuses} == {"NoError"}
    if version is not V12:
        assert all(s.timestamp is not None for s in statuses)
    # BootNotification was the first request, and wsa:From named the station
    assert cs.received[0].op is Op.BOOT_NOTIFICATION
    assert cs.received[0].from_address == station.url
    # HeartbeatInterval taken from the boot answer; heartbeats come at that interval
    key = "HeartbeatInterval"
    assert station.config.get_int(key) == 5
    beats = await cs.wait_op(Op.HEARTBEAT, count=3, timeout=5)
    times = [r.time for r in cs.received if r.op is Op.HEARTBEAT][:3]
    gaps = [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    assert all(0.05 <= g <= 1.0 for g in gaps), gaps
    assert len(beats) >= 3
    assert all(r.message.VERSION == version.value for r in cs.received)


@pytest.mark.parametrize("version", VERSIONS)
async def test_rejected_boot_is_retried_after_the_interval_and_nothing_else_is_sent(rig, version):
    cs = await rig.central_system()
    cs.boot_answers = [("Rejected", 10), ("Rejected", 10)]
    station = await rig.station(version)
    await cs.wait_op(Op.BOOT_NOTIFICATION, count=3)
    await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED, timeout=5)
    ops = cs.ops()
    assert ops[:3] == [Op.BOOT_NOTIFICATION] * 3  # nothing before Accepted (1.5 §4.2)
    times = [r.time for r in cs.received[:3]]
    assert (times[1] - times[0]).total_seconds() >= 0.15  # 10 s × 0.02
    await cs.wait_op(Op.STATUS_NOTIFICATION, count=3)


async def test_pending_boot_retries_and_accepts_commands_meanwhile(rig):
    cs = await rig.central_system()
    cs.boot_answers = [("Pending", 25), ("Pending", 25)]
    station = await rig.station(V16)
    await station.wait_until(lambda: station.boot_state is BootState.PENDING, timeout=5)
    # the CS may configure and query a Pending station (1.6 §4.2)
    answer = await cs.command(station, Op.CHANGE_CONFIGURATION, key="MeterValueSampleInterval",
                              value="30")
    assert answer.status.value == "Accepted"
    answer = await cs.command(station, Op.GET_CONFIGURATION, key=["MeterValueSampleInterval"])
    assert answer.configuration_key[0].value == "30"
    # a triggered message is allowed while Pending
    answer = await cs.command(station, Op.TRIGGER_MESSAGE, requested_message="Heartbeat")
    assert answer.status.value == "Accepted"
    await cs.wait_op(Op.HEARTBEAT)
    assert Op.STATUS_NOTIFICATION not in cs.ops()
    await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED, timeout=5)
    assert cs.ops().count(Op.BOOT_NOTIFICATION) == 3
    await cs.wait_op(Op.STATUS_NOTIFICATION, count=3)


async def test_identity_mismatch_for_another_charge_box(rig):
    station, cs = await rig.booted(V16)
    from ocppcert.messages import Kind, message_class
    from ocppcert.roles.endpoint import RemoteFault
    from ocppcert.versions import Service

    request = message_class(V16, Service.CHARGE_POINT, Op.CLEAR_CACHE, Kind.REQUEST)()
    with pytest.raises(RemoteFault) as caught:
        await cs.call(station.url, request, charge_box_identity="SOMEONE-ELSE")
    assert caught.value.fault.subcode.value == "IdentityMismatch"


# ---- transactions ------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_full_transaction_with_sampled_meter_values(rig, version):
    sampled = ("Energy.Active.Import.Register,Power.Active.Import"
               if version is not V12 else None)
    config = {"MeterValueSampleInterval": "5"}
    if sampled:
        config["MeterValuesSampledData"] = sampled
    if version is V16:
        config["StopTxnSampledData"] = "Energy.Active.Import.Register"
    station, cs = await rig.booted(version, config=config)
    mark = cs.mark()
    result = await station.present_id_tag("TAG-1", 1)
    assert result["result"] == "authorized"
    assert cs.of(Op.AUTHORIZE)[-1].id_tag == "TAG-1"
    station.plug_in(1)
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    assert start.connector_id == 1 and start.id_tag == "TAG-1" and start.meter_start == 0
    transaction_id = cs.next_transaction_id
    values = await cs.wait_op(Op.METER_VALUES, count=2)
    for mv in values:
        assert mv.connector_id == 1
        if version is V12:
            assert mv.values[0].value >= 0
        elif version is V15:
            assert mv.transaction_id == transaction_id
            texts = {v.measurand.value: v for v in mv.values[0].value}
            assert texts["Energy.Active.Import.Register"].unit.value == "Wh"
            assert texts["Energy.Active.Import.Register"].context.value == "Sample.Periodic"
        else:
            assert mv.transaction_id == transaction_id
            sv = {s.measurand.value: s for s in mv.meter_value[0].sampled_value}
            assert sv["Energy.Active.Import.Register"].context.value == "Sample.Periodic"
            assert float(sv["Power.Active.Import"].value) > 0
    await station.wait_until(lambda: station.connectors[1].meter.register() > 0, timeout=5)
    result = await station.present_id_tag("TAG-1")
    assert result == {"result": "stopped", "connector": 1, "reason": "Local"}
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.transaction_id == transaction_id and stop.id_tag == "TAG-1"
    assert stop.meter_stop > 0
    # no Authorize before stopping with the same idTag (1.6 §3.5)
    assert [r.op for r in cs.since(mark, Op.AUTHORIZE)] == [Op.AUTHORIZE]
    if version is V16:
        assert stop.reason.value == "Local"
        contexts = [s.context.value for mv in stop.transaction_data for s in mv.sampled_value]
        assert contexts[0] == "Transaction.Begin" and contexts[-1] == "Transaction.End"
    # order of the transaction messages on the wire
    tx_ops = [r.op for r in cs.since(mark, Op.START_TRANSACTION, Op.METER_VALUES,
                                     Op.STOP_TRANSACTION)]
    assert tx_ops[0] is Op.START_TRANSACTION and tx_ops[-1] is Op.STOP_TRANSACTION
    # statuses: 1.6 Preparing → Charging → Finishing → (unplug) Available
    station.unplug(1)
    expected = (["Preparing", "Charging", "Finishing", "Available"] if version is V16
                else ["Occupied", "Available"])
    await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Available"])
    assert status_values(cs, 1, mark) == expected
    assert len(station.queue) == 0


async def test_plug_first_then_identification(rig):
    station, cs = await rig.booted(V16)
    mark = cs.mark()
    station.plug_in(1)
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Preparing"])
    assert (await station.present_id_tag("TAG-2"))["result"] == "started"
    await cs.wait_op(Op.START_TRANSACTION)
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Preparing", "Charging"])


async def test_connection_timeout_returns_to_available(rig):
    station, cs = await rig.booted(V16, config={"ConnectionTimeOut": "10"})
    mark = cs.mark()
    assert (await station.present_id_tag("TAG-3", 2))["result"] == "authorized"
    await cs.wait(lambda: status_values(cs, 2, mark) == ["Preparing", "Available"])
    station.plug_in(2)
    # the plug-in is reported (Preparing again) without starting the expired authorisation
    await cs.wait(lambda: status_values(cs, 2, mark) == ["Preparing", "Available", "Preparing"])
    assert Op.START_TRANSACTION not in cs.ops()
    assert station.connector(2).tx is None


@pytest.mark.parametrize("version", VERSIONS)
async def test_invalid_id_tag_is_refused(rig, version):
    station, cs = await rig.booted(version)
    cs.tags["BAD"] = "Invalid"
    station.plug_in(1)
    result = await station.present_id_tag("BAD", 1)
    assert result["result"] == "rejected" and result["status"] == "Invalid"
    assert station.connectors[1].tx is None
    assert Op.START_TRANSACTION not in cs.ops()


async def test_stop_by_parent_id_tag(rig):
    station, cs = await rig.booted(V16)
    cs.parents.update({"CHILD-A": "FLEET", "CHILD-B": "FLEET"})
    station.plug_in(1)
    assert (await station.present_id_tag("CHILD-A", 1))["result"] == "started"
    await cs.wait_op(Op.START_TRANSACTION)
    result = await station.present_id_tag("CHILD-B", 1)
    assert result["result"] == "stopped"
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.id_tag == "CHILD-B" and stop.reason.value == "Local"


async def test_start_not_accepted_stops_with_deauthorized(rig):
    station, cs = await rig.booted(V16)
    cs.start_status["BLOCKED-LATE"] = "Blocked"
    station.plug_in(1)
    await station.present_id_tag("BLOCKED-LATE", 1)
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.reason.value == "DeAuthorized" and stop.transaction_id == cs.next_transaction_id


async def test_start_not_accepted_without_stop_suspends_energy(rig):
    station, cs = await rig.booted(V16, config={"StopTransactionOnInvalidId": "false"})
    cs.start_status["BLOCKED-LATE"] = "Blocked"
    mark = cs.mark()
    station.plug_in(1)
    await station.present_id_tag("BLOCKED-LATE", 1)
    await cs.wait(lambda: "SuspendedEVSE" in status_values(cs, 1, mark))
    assert station.connectors[1].tx is not None and station.connectors[1].meter.power_w == 0
    assert Op.STOP_TRANSACTION not in cs.ops()


@pytest.mark.parametrize(("stop_key", "unlock_key", "stops"), [
    ("true", "true", True), ("true", "false", True), ("false", "false", False)])
async def test_ev_side_disconnect(rig, stop_key, unlock_key, stops):
    station, cs = await rig.booted(V16, config={
        "StopTransactionOnEVSideDisconnect": stop_key,
        "UnlockConnectorOnEVSideDisconnect": unlock_key})
    mark = cs.mark()
    station.plug_in(1)
    await station.present_id_tag("EV", 1)
    await cs.wait_op(Op.START_TRANSACTION)
    station.ev_disconnect(1)
    if stops:
        stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
        assert stop.reason.value == "EVDisconnected"
        await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Finishing"])
    else:
        await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["SuspendedEV"])
        station.plug_in(1)
        await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Charging"])
        assert Op.STOP_TRANSACTION not in cs.ops()


async def test_local_pre_authorize_skips_authorize_for_cached_id(rig):
    station, cs = await rig.booted(V16, config={"LocalPreAuthorize": "true"})
    station.plug_in(1)
    await station.present_id_tag("CACHED", 1)  # learnt from Authorize + Start answers
    await cs.wait_op(Op.START_TRANSACTION)
    await station.present_id_tag("CACHED", 1)
    await cs.wait_op(Op.STOP_TRANSACTION)
    authorizes = len(cs.of(Op.AUTHORIZE))
    result = await station.present_id_tag("CACHED", 1)
    assert result["result"] == "started"
    assert len(cs.of(Op.AUTHORIZE)) == authorizes  # no Authorize this time


@pytest.mark.parametrize("version", [V15, V16])
async def test_clock_aligned_meter_values(rig, version):
    energy = "Energy.Active.Import.Register"
    config = {"ClockAlignedDataInterval": "5", "MeterValuesAlignedData": energy,
              "StopTxnAlignedData": energy}
    station, cs = await rig.booted(version, config=config)
    station.plug_in(1)
    await station.present_id_tag("ALIGNED", 1)
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    transaction_id = cs.next_transaction_id

    def stamp(m):
        return m.meter_value[0].timestamp if version is V16 else m.values[0].timestamp

    def aligned(m):
        values = m.meter_value[0].sampled_value if version is V16 else m.values[0].value
        return values[0].context.value == "Sample.Clock"

    # connector 1 during the transaction: queued, with the transactionId; connector 2: without
    with_tx = await cs.wait_op(Op.METER_VALUES, count=2, where=lambda m: aligned(
        m) and m.connector_id == 1 and stamp(m) >= start.timestamp)
    assert all(m.transaction_id == transaction_id for m in with_tx)
    idle = await cs.wait_op(Op.METER_VALUES, where=lambda m: aligned(m) and m.connector_id == 2)
    assert idle[0].transaction_id is None
    times = [stamp(m) for m in with_tx]
    midnight = times[0].replace(hour=0, minute=0, second=0, microsecond=0)
    for t in times:  # aligned to multiples of 5 × 0.02 s since midnight
        offset = round((t - midnight).total_seconds() * 1000) % 100
        assert offset in (0, 99), t
    await station.present_id_tag("ALIGNED", 1)
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    if version is V16:
        contexts = {s.context.value for mv in stop.transaction_data for s in mv.sampled_value}
    else:
        contexts = {v.context.value for td in stop.transaction_data for mv in td.values
                    for v in mv.value}
    assert "Sample.Clock" in contexts


async def test_local_list_conflict_is_reported_on_connector_zero(rig):
    station, cs = await rig.booted(V16)
    cp = station.cp_types
    await cs.command(station, Op.SEND_LOCAL_LIST, update_type="Full", list_version=1,
                     local_authorization_list=[cp.AuthorizationData(
                         id_tag="LISTED", id_tag_info=cp.IdTagInfo(status="Accepted"))])
    cs.tags["LISTED"] = "Blocked"
    mark = cs.mark()
    result = await station.present_id_tag("LISTED", 1)
    assert result["result"] == "rejected"
    conflict = await cs.wait(lambda: [r.message for r in cs.since(mark, Op.STATUS_NOTIFICATION)
                                      if r.message.error_code.value == "LocalListConflict"])
    assert conflict[0].connector_id == 0


async def test_reservation_of_connector_zero(rig):
    station, cs = await rig.booted(V16)
    import datetime as dt

    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=0, id_tag="OWNER",
                              reservation_id=77, expiry_date=expiry)
    assert answer.status.value == "Accepted"
    station.plug_in(1)
    assert (await station.present_id_tag("OTHER", 1))["result"] == "started"
    # one connector left: it is kept for the reservation
    station.plug_in(2)
    assert (await station.present_id_tag("STRANGER", 2))["result"] == "rejected"
    assert (await station.present_id_tag("OWNER", 2))["result"] == "started"
    starts = await cs.wait_op(Op.START_TRANSACTION, count=2)
    assert [s.reservation_id for s in starts] == [None, 77]


@pytest.mark.parametrize("version", VERSIONS)
async def test_lock_failure_at_start_faults_the_connector(rig, version):
    station, cs = await rig.booted(version)
    mark = cs.mark()
    station.set_lock_failure(1, True)
    station.plug_in(1)
    assert (await station.present_id_tag("TAG", 1))["result"] == "faulted"
    faulted = await cs.wait(lambda: [r.message for r in cs.since(mark, Op.STATUS_NOTIFICATION)
                                     if r.message.status.value == "Faulted"])
    assert faulted[0].error_code.value == "ConnectorLockFailure"
    assert station.connectors[1].tx is None and Op.START_TRANSACTION not in cs.ops()
