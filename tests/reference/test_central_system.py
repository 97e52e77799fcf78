"""The reference Central System over real HTTP on loopback: every charge point → Central
System operation of every version, the rules behind the answers, wsa:From learning and
commands to charge points, and state that survives a restart.

A small charge-point-role Endpoint drives it: it calls the Central System like a charge
point and serves the ChargePointService, recording every command and its headers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ocppcert import ns
from ocppcert.messages import Kind, Op, message_class, operations
from ocppcert.messages.v12.central_system import MeterValue as MeterValue12
from ocppcert.reference.central_system import CommandError, ReferenceCentralSystem
from ocppcert.reference.central_system.local_list import format_utc
from ocppcert.roles import RemoteFault
from ocppcert.soap import FaultSubcode, Headers
from ocppcert.transport import Direction
from ocppcert.versions import OcppVersion

from .central_system_rig import (
    CP,
    CS,
    NOW,
    V12,
    V15,
    V16,
    RecordingChargePoint,
    boot,
    request,
    start,
)


# -- every operation of every version ---------------------------------------------------------
@pytest.mark.parametrize("version", list(OcppVersion), ids=str)
async def test_every_operation_of_the_version_gets_a_valid_response(version, cs, cp,
                                                                    fixture_tools):
    ops = operations(version, CS)
    assert len(ops) == (9 if version is V12 else 10)
    for op in ops:
        sent = fixture_tools.sample(message_class(version, CS, op, Kind.REQUEST), full=True)
        seq = cs.recorder.last_seq
        response = await cp.call(cs.url, sent, charge_box_identity="CP-1")
        assert type(response) is message_class(version, CS, op, Kind.RESPONSE)
        answer = await cs.wait_for(lambda r: r.direction is Direction.OUT, timeout=5, after=seq)
        assert answer.valid, (op, answer.violations)
        assert (answer.kind, answer.http_status, answer.ocpp_version) == (
            "response", 200, version.value)


async def test_odd_but_valid_requests_from_a_charge_point_that_never_booted(cs, cp):
    # No BootNotification first: served (the Accepted gate is off by default).
    await cp.to_cs(cs.url, V16, Op.METER_VALUES, connector_id=99, transaction_id=123456)
    await cp.to_cs(cs.url, V16, Op.STATUS_NOTIFICATION, connector_id=7, status="Faulted",
                   error_code="OtherError")
    stop = await cp.to_cs(cs.url, V12, Op.STOP_TRANSACTION, transaction_id=-5,
                          timestamp=NOW, meter_stop=0)
    assert stop.id_tag_info is None
    empty = await cp.to_cs(cs.url, V15, Op.METER_VALUES, connector_id=0)
    assert empty is not None
    row = cs.store.charge_point("CP-1")
    assert row["registration_status"] is None and row["endpoint_url"] == cp.url


# -- BootNotification -------------------------------------------------------------------------
async def test_boot_registers_the_charge_point_and_answers_in_its_version(cs, cp, clock):
    for version in OcppVersion:
        response = await boot(cp, cs, version)
        assert response.status.value == "Accepted"
        assert response.current_time == NOW
        interval = response.interval if version is V16 else response.heartbeat_interval
        assert interval == 60
    row = cs.store.charge_point("CP-1")
    assert (row["vendor"], row["model"], row["firmware_version"]) == ("Acme", "Volt-1", "1.0.3")
    assert row["charge_point_serial_number"] == "SN-7"
    assert (row["registration_status"], row["ocpp_version"]) == ("Accepted", "1.6")
    assert row["last_boot"] == format_utc(NOW) and row["endpoint_url"] == cp.url


async def test_configured_boot_answers_and_pending_only_in_16(cs, cp):
    cs.store.set_boot_response("CP-1", "Rejected", 15)
    rejected = await boot(cp, cs, V15)
    assert (rejected.status.value, rejected.heartbeat_interval) == ("Rejected", 15)
    cs.store.set_boot_response("CP-1", "Pending", 5)
    pending = await boot(cp, cs, V16)
    assert (pending.status.value, pending.interval) == ("Pending", 5)
    # 1.2 and 1.5 have no Pending: the nearest answer they have is Rejected.
    for version in (V12, V15):
        assert (await boot(cp, cs, version)).status.value == "Rejected"
    cs.store.set_boot_response("CP-1", None, None)
    assert (await boot(cp, cs, V16)).interval == 60


async def test_heartbeat_answers_the_current_time(cs, cp, clock):
    clock.now = NOW + dt.timedelta(hours=5)
    for version in OcppVersion:
        response = await cp.to_cs(cs.url, version, Op.HEARTBEAT)
        assert response.current_time == clock.now
    assert cs.store.charge_point("CP-1")["last_heartbeat"] == format_utc(clock.now)


# -- Authorize, StartTransaction, StopTransaction ------------------------------------------
async def test_authorize_statuses(cs, cp, clock):
    store = cs.store
    store.put_id_tag("GOOD", "Accepted", NOW + dt.timedelta(days=1), "GROUP")
    store.put_id_tag("BLOCKED", "Blocked")
    store.put_id_tag("EXPIRED", "Expired")
    store.put_id_tag("OLD", "Accepted", NOW - dt.timedelta(seconds=1))
    store.put_id_tag("BUSY", "Accepted")
    await start(cp, cs, V16, "BUSY")

    async def status(version: OcppVersion, tag: str) -> Any:
        return (await cp.to_cs(cs.url, version, Op.AUTHORIZE, id_tag=tag)).id_tag_info

    for version in OcppVersion:
        good = await status(version, "GOOD")
        assert good.status.value == "Accepted"
        assert good.expiry_date == NOW + dt.timedelta(days=1) and good.parent_id_tag == "GROUP"
        assert (await status(version, "good")).status.value == "Accepted"  # case-insensitive
        assert (await status(version, "BLOCKED")).status.value == "Blocked"
        assert (await status(version, "EXPIRED")).status.value == "Expired"
        assert (await status(version, "OLD")).status.value == "Expired"
        assert (await status(version, "NOBODY")).status.value == "Invalid"
        assert (await status(version, "BUSY")).status.value == "ConcurrentTx"


async def test_start_is_always_a_transaction_with_a_unique_id(cs, cp):
    cs.store.put_id_tag("OK", "Accepted")
    cs.store.put_id_tag("BLOCKED", "Blocked")
    seen = set()
    answers = {}
    for i, (version, tag) in enumerate([(V12, "UNKNOWN"), (V15, "BLOCKED"), (V16, "OK"),
                                        (V16, "OK")]):
        response = await start(cp, cs, version, tag, connector=i + 1, meter=i)
        assert response.transaction_id not in seen
        seen.add(response.transaction_id)
        answers[(version, tag, i)] = response.id_tag_info.status.value
    assert list(answers.values()) == ["Invalid", "Blocked", "Accepted", "ConcurrentTx"]
    rows = cs.store.transactions(charge_point="CP-1", ongoing=True)
    assert [r["id"] for r in rows] == sorted(seen)
    assert rows[3]["start_id_tag_info"] == {"status": "ConcurrentTx"}


async def test_start_resent_after_a_lost_response_gets_the_same_transaction(cs, cp):
    cs.store.put_id_tag("OK", "Accepted")
    first = await start(cp, cs, V16, "OK", connector=2, meter=7)
    again = await start(cp, cs, V16, "OK", connector=2, meter=7)
    assert again.transaction_id == first.transaction_id
    assert again.id_tag_info.status.value == "Accepted"  # not ConcurrentTx with itself
    assert len(cs.store.transactions()) == 1
    # An old transaction left open on the same connector does not make the next one
    # concurrent: a connector carries one transaction at a time.
    later = await start(cp, cs, V16, "OK", connector=2, meter=9, when=NOW + dt.timedelta(1))
    assert later.transaction_id != first.transaction_id
    assert later.id_tag_info.status.value == "Accepted"


async def test_start_stores_reservation_and_the_answer(cs, cp):
    cs.store.put_id_tag("OK", "Accepted", parent_id_tag="PARENT")
    response = await start(cp, cs, V15, "OK", connector=2, meter=500, reservation_id=77)
    row = cs.store.transaction_row(response.transaction_id)
    assert (row["reservation_id"], row["connector_id"], row["meter_start"]) == (77, 2, 500)
    assert row["start_id_tag_info"] == {"status": "Accepted", "parentIdTag": "PARENT"}
    assert (row["ocpp_version"], row["start_timestamp"]) == ("1.5", format_utc(NOW))


async def test_stop_is_answered_even_for_an_unknown_transaction(cs, cp):
    cs.store.put_id_tag("OK", "Accepted")
    for version in OcppVersion:
        response = await cp.to_cs(cs.url, version, Op.STOP_TRANSACTION, transaction_id=987654,
                                  id_tag="OK", timestamp=NOW, meter_stop=10)
        assert response.id_tag_info.status.value == "Accepted"
    unknown = cs.store.unknown_stops("CP-1")
    assert [(u["transaction_id"], u["ocpp_version"], u["why"]) for u in unknown] == [
        (987654, v.value, "unknown transaction") for v in OcppVersion]


async def test_stop_of_another_charge_points_transaction_is_recorded_not_applied(
        cs, cp, fixture_tools):
    other = RecordingChargePoint(fixture_tools.sample, identity="CP-2")
    async with other:
        started = await start(other, cs, V16, "X")
        await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=started.transaction_id,
                       timestamp=NOW, meter_stop=1)
    assert cs.store.transaction_row(started.transaction_id)["ongoing"]
    assert "CP-2" in cs.store.unknown_stops("CP-1")[0]["why"]


async def test_stop_stores_meter_stop_reason_and_transaction_data(cs, cp, fixture_tools):
    cs.store.put_id_tag("OK", "Accepted")
    cs.store.put_id_tag("BLOCKED", "Blocked")
    v16 = message_class(V16, CS, Op.STOP_TRANSACTION, Kind.REQUEST)
    v15 = message_class(V15, CS, Op.STOP_TRANSACTION, Kind.REQUEST)
    tx16 = (await start(cp, cs, V16, "OK", connector=1)).transaction_id
    tx15 = (await start(cp, cs, V15, "OK", connector=2)).transaction_id
    tx12 = (await start(cp, cs, V12, "OK", connector=3)).transaction_id
    later = NOW + dt.timedelta(minutes=30)
    data16 = fixture_tools.sample(v16, full=True).transaction_data
    data15 = fixture_tools.sample(v15, full=True).transaction_data
    response = await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=tx16,
                              id_tag="BLOCKED", timestamp=later, meter_stop=900,
                              reason="EVDisconnected", transaction_data=data16)
    assert response.id_tag_info.status.value == "Blocked"  # the tag's status, not the tx's
    response = await cp.to_cs(cs.url, V15, Op.STOP_TRANSACTION, transaction_id=tx15,
                              timestamp=later, meter_stop=800, transaction_data=data15)
    assert response.id_tag_info is None  # no idTag, no idTagInfo
    await cp.to_cs(cs.url, V12, Op.STOP_TRANSACTION, transaction_id=tx12, id_tag="OK",
                   timestamp=later, meter_stop=700)

    row = cs.store.transaction_row(tx16)
    assert (row["meter_stop"], row["stop_reason"], row["stop_id_tag"]) == (900, "EVDisconnected",
                                                                           "BLOCKED")
    assert row["stop_timestamp"] == format_utc(later) and not row["ongoing"]
    assert row["stop_id_tag_info"] == {"status": "Blocked"}
    values16 = cs.store.meter_values(transaction_id=tx16)
    assert len(values16) == len(data16) == 2
    assert values16[0]["source"] == "StopTransaction"
    assert values16[0]["sampledValue"][0]["value"] == "1234.5"
    values15 = cs.store.meter_values(transaction_id=tx15)
    assert len(values15) == sum(len(d.values) for d in data15)
    first15 = data15[0].values[0].value[0]
    assert values15[0]["sampledValue"][0] == {
        "value": first15.text, "context": first15.context.value, "format": first15.format.value,
        "measurand": first15.measurand.value, "location": first15.location.value,
        "unit": first15.unit.value}
    assert cs.store.transaction_row(tx15)["stop_reason"] is None
    assert cs.store.transaction_row(tx12)["meter_stop"] == 700
    assert cs.store.transactions(ongoing=True) == []


async def test_stop_resent_after_a_lost_response_is_answered_again(cs, cp):
    tx = (await start(cp, cs, V16, "T")).transaction_id
    for _ in range(2):
        await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=tx, timestamp=NOW,
                       meter_stop=5)
    assert cs.store.unknown_stops() == []
    await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=tx, timestamp=NOW,
                   meter_stop=6)
    assert "already stopped" in cs.store.unknown_stops()[0]["why"]
    assert cs.store.transaction_row(tx)["meter_stop"] == 5


# -- MeterValues, StatusNotification, DataTransfer, firmware and diagnostics ----------------
async def test_meter_values_of_each_version_are_stored_per_transaction(cs, cp, fixture_tools):
    tx12 = (await start(cp, cs, V12, "A", connector=1)).transaction_id
    tx16 = (await start(cp, cs, V16, "B", connector=2)).transaction_id
    mv12 = message_class(V12, CS, Op.METER_VALUES, Kind.REQUEST)
    mv15 = message_class(V15, CS, Op.METER_VALUES, Kind.REQUEST)
    await cp.call(cs.url, mv12(connector_id=1, values=[MeterValue12(timestamp=NOW, value=4321)]),
                  charge_box_identity="CP-1")
    await cp.call(cs.url, fixture_tools.sample(mv15, full=True), charge_box_identity="CP-1")
    sample16 = fixture_tools.sample(message_class(V16, CS, Op.METER_VALUES, Kind.REQUEST),
                                    full=True)
    sample16.transaction_id = tx16
    await cp.call(cs.url, sample16, charge_box_identity="CP-1")

    # 1.2 names no transaction: the one ongoing on its connector.
    assert [v["sampledValue"] for v in cs.store.meter_values(transaction_id=tx12)] == [
        [{"value": "4321"}]]
    values16 = cs.store.meter_values(transaction_id=tx16)
    assert len(values16) == 2 and values16[0]["sampledValue"][0]["value"] == "1234.5"
    assert set(values16[0]["sampledValue"][0]) >= {"value", "context", "measurand", "unit"}
    # 1.5's sample names transaction 42, which is unknown here: stored as it came.
    assert len(cs.store.meter_values(transaction_id=42)) == 2


async def test_status_notifications_are_stored_per_connector(cs, cp):
    await cp.to_cs(cs.url, V12, Op.STATUS_NOTIFICATION, connector_id=1, status="Occupied",
                   error_code="Mode3Error")
    await cp.to_cs(cs.url, V16, Op.STATUS_NOTIFICATION, connector_id=0, status="Faulted",
                   error_code="GroundFailure", info="rcd", vendor_error_code="E1",
                   timestamp=NOW)
    await cp.to_cs(cs.url, V16, Op.STATUS_NOTIFICATION, connector_id=1, status="Charging",
                   error_code="NoError")
    connectors = {c["connector_id"]: c for c in cs.store.connectors("CP-1")}
    assert (connectors[1]["status"], connectors[1]["error_code"]) == ("Charging", "NoError")
    assert (connectors[0]["status"], connectors[0]["error_code"], connectors[0]["info"],
            connectors[0]["vendor_error_code"], connectors[0]["timestamp"]) == (
        "Faulted", "GroundFailure", "rcd", "E1", format_utc(NOW))


async def test_firmware_and_diagnostics_status_are_stored(cs, cp):
    await cp.to_cs(cs.url, V16, Op.FIRMWARE_STATUS_NOTIFICATION, status="Installing")
    await cp.to_cs(cs.url, V12, Op.DIAGNOSTICS_STATUS_NOTIFICATION, status="UploadFailed")
    row = cs.store.charge_point("CP-1")
    assert (row["firmware_status"], row["diagnostics_status"]) == ("Installing", "UploadFailed")


async def test_data_transfer_unknown_vendor_and_echo(cs, cp):
    for version in (V15, V16):
        unknown = await cp.to_cs(cs.url, version, Op.DATA_TRANSFER, vendor_id="com.nobody",
                                 data="x")
        assert unknown.status.value == "UnknownVendorId" and unknown.data is None
        echo = await cp.to_cs(cs.url, version, Op.DATA_TRANSFER, vendor_id="OCPPCERT",
                              message_id="m", data="ping")
        assert (echo.status.value, echo.data) == ("Accepted", "ping")


async def test_accepted_gate_answers_security_error_when_enabled(tmp_path, cp):
    async with ReferenceCentralSystem(db_path=tmp_path / "gate.db",
                                      require_accepted=True) as gated:
        with pytest.raises(RemoteFault) as caught:
            await cp.to_cs(gated.url, V16, Op.HEARTBEAT)
        assert caught.value.fault.subcode is FaultSubcode.SECURITY_ERROR
        gated.store.set_boot_response("CP-1", "Rejected", 1)
        assert (await boot(cp, gated)).status.value == "Rejected"
        with pytest.raises(RemoteFault):
            await cp.to_cs(gated.url, V16, Op.STATUS_NOTIFICATION, connector_id=0,
                           status="Available", error_code="NoError")
        gated.store.set_boot_response("CP-1", "Pending", 1)
        await boot(cp, gated)  # Pending: the Central System may trigger messages
        await cp.to_cs(gated.url, V16, Op.HEARTBEAT)
        gated.store.set_boot_response("CP-1", "Accepted", 1)
        await boot(cp, gated)
        await cp.to_cs(gated.url, V16, Op.AUTHORIZE, id_tag="X")


# -- wsa:From and commands to the charge point ----------------------------------------------
@pytest.mark.parametrize("version", list(OcppVersion), ids=str)
async def test_every_command_of_the_version_reaches_the_learnt_endpoint_with_headers(
        version, cs, cp, fixture_tools):
    await boot(cp, cs, version)
    assert cs.store.charge_point("CP-1")["endpoint_url"] == cp.url
    ops = operations(version, CP)
    assert len(ops) == {V12: 9, V15: 15, V16: 19}[version]
    for op in ops:
        sent = fixture_tools.sample(message_class(version, CP, op, Kind.REQUEST), full=False)
        response = await cs.command("CP-1", sent)
        assert type(response) is message_class(version, CP, op, Kind.RESPONSE)
        got_op, got, headers = cp.received[-1]
        assert got_op is op and got == sent
        assert headers.charge_box_identity == "CP-1"
        assert headers.action == f"/{op.value}"
        assert headers.message_id and headers.message_id.startswith("urn:uuid:")
        assert headers.from_address == cs.url
        assert headers.reply_to == ns.WSA_ANONYMOUS
        assert headers.to == cp.url
    assert [r for r in cp.recorder.records if r.direction is Direction.IN and not r.valid] == []


async def test_command_from_op_and_json_fields_in_the_charge_points_version(cs, cp):
    await boot(cp, cs, V15)
    response = await cs.command("CP-1", (Op.CHANGE_AVAILABILITY,
                                      {"connectorId": 0, "type": "Inoperative"}))
    assert response.VERSION == "1.5"
    got = cp.commands(Op.CHANGE_AVAILABILITY)[-1]
    assert (got.VERSION, got.connector_id, got.type.value) == ("1.5", 0, "Inoperative")
    with pytest.raises(CommandError) as caught:
        await cs.command("CP-1", (Op.TRIGGER_MESSAGE, {"requestedMessage": "Heartbeat"}))
    assert caught.value.kind == "unsupported"  # TriggerMessage is 1.6 only
    with pytest.raises(CommandError) as caught:
        await cs.command("CP-1", (Op.RESET, {"type": "Sideways"}))
    assert caught.value.kind == "invalid-request" and "Sideways" in caught.value.message


async def test_from_is_learnt_on_every_request_and_anonymous_is_ignored(cs, cp, fixture_tools):
    await boot(cp, cs)
    moved = RecordingChargePoint(fixture_tools.sample)  # same identity, new address
    async with moved:
        await moved.to_cs(cs.url, V16, Op.HEARTBEAT)
        assert cs.store.charge_point("CP-1")["endpoint_url"] == moved.url
        for address in (ns.WSA_ANONYMOUS, None, "urn:not-a-url"):
            headers = Headers.request("/Heartbeat", charge_box_identity="CP-1", to=cs.url,
                                      from_address=address)
            await moved.call(cs.url, request(V16, Op.HEARTBEAT), charge_box_identity="CP-1",
                             headers=headers)
            assert cs.store.charge_point("CP-1")["endpoint_url"] == moved.url
        await cs.command("CP-1", (Op.CLEAR_CACHE, {}))
        assert moved.commands(Op.CLEAR_CACHE) and not cp.commands(Op.CLEAR_CACHE)


async def test_command_errors_are_reported_clearly(cs, cp, fixture_tools):
    with pytest.raises(CommandError) as caught:
        await cs.command("NOBODY", (Op.RESET, {"type": "Hard"}))
    assert caught.value.kind == "unknown-charge-point"

    headers = Headers.request("/Heartbeat", charge_box_identity="SILENT", to=cs.url)
    await cp.call(cs.url, request(V16, Op.HEARTBEAT), charge_box_identity="SILENT",
                  headers=headers)  # no wsa:From at all
    with pytest.raises(CommandError) as caught:
        await cs.command("SILENT", (Op.RESET, {"type": "Hard"}))
    assert caught.value.kind == "no-endpoint" and "wsa:From" in caught.value.message

    # CP-1's address, but another identity: the charge point answers IdentityMismatch.
    impostor = Headers.request("/Heartbeat", charge_box_identity="CP-9", to=cs.url,
                               from_address=cp.url)
    await cp.call(cs.url, request(V16, Op.HEARTBEAT), charge_box_identity="CP-9",
                  headers=impostor)
    with pytest.raises(CommandError) as caught:
        await cs.command("CP-9", (Op.RESET, {"type": "Hard"}))
    assert caught.value.kind == "fault"
    assert caught.value.fault.subcode is FaultSubcode.IDENTITY_MISMATCH
    assert caught.value.as_json()["fault"]["subcode"] == "IdentityMismatch"

    gone = RecordingChargePoint(fixture_tools.sample, identity="GONE")
    async with gone:
        await gone.to_cs(cs.url, V16, Op.HEARTBEAT)
    with pytest.raises(CommandError) as caught:
        await cs.command("GONE", (Op.RESET, {"type": "Hard"}))
    assert caught.value.kind == "transport" and "no answer" in caught.value.message


async def test_the_message_log_names_the_charge_point_on_both_directions(cs, cp):
    await boot(cp, cs)
    await cs.command("CP-1", (Op.CLEAR_CACHE, {}))
    log = cs.store.messages(charge_point="CP-1")
    assert [(m["direction"], m["operation"], m["kind"]) for m in log] == [
        ("in", "BootNotification", "request"), ("out", "BootNotification", "response"),
        ("out", "ClearCache", "request"), ("in", "ClearCache", "response")]
    assert all(m["valid"] for m in log)
    assert log[1]["relates_to"] == log[0]["message_id"]
    assert "bootNotificationRequest" in log[0]["xml"]
    assert [m["id"] for m in cs.store.messages(charge_point="CP-1", after=log[1]["id"],
                                               limit=1)] == [log[2]["id"]]


# -- persistence ------------------------------------------------------------------------------
async def test_state_survives_a_restart_on_the_same_database(tmp_path, cp, clock):
    db = tmp_path / "persist.sqlite3"
    first = ReferenceCentralSystem(db_path=db, clock=clock)
    async with first:
        first.store.put_id_tag("KEEP", "Accepted", NOW + dt.timedelta(days=3), "P")
        first.store.set_boot_response("CP-1", "Rejected", 9)
        await boot(cp, first, V15)
        done = (await start(cp, first, V15, "KEEP", connector=1)).transaction_id
        await cp.to_cs(first.url, V15, Op.STOP_TRANSACTION, transaction_id=done,
                       timestamp=NOW, meter_stop=300)
        ongoing = (await start(cp, first, V15, "KEEP", connector=2)).transaction_id
        await cp.to_cs(first.url, V15, Op.STATUS_NOTIFICATION, connector_id=2,
                       status="Occupied", error_code="NoError")

    second = ReferenceCentralSystem(db_path=db, clock=clock)
    async with second:
        store = second.store
        assert store.id_tag("KEEP")["parent_id_tag"] == "P"
        assert [(t["id"], t["ongoing"]) for t in store.transactions()] == [
            (done, False), (ongoing, True)]
        assert store.transaction_row(done)["meter_stop"] == 300
        assert store.connectors("CP-1")[0]["status"] == "Occupied"
        assert (await boot(cp, second, V15)).status.value == "Rejected"
        # Ids keep counting; ConcurrentTx still knows the open transaction.
        newer = await start(cp, second, V15, "KEEP", connector=3)
        assert newer.transaction_id > ongoing
        assert newer.id_tag_info.status.value == "ConcurrentTx"
        # The learnt endpoint survived too: commands reach the charge point.
        await second.command("CP-1", (Op.CLEAR_CACHE, {}))
        assert cp.commands(Op.CLEAR_CACHE)
        assert len(store.messages(charge_point="CP-1", limit=1000)) > 10


async def test_versions_restrict_what_is_served_and_a_stopped_cs_starts_again(tmp_path, cp):
    only15 = ReferenceCentralSystem(db_path=tmp_path / "v15.sqlite3", versions=["1.5"])
    async with only15:
        await cp.to_cs(only15.url, V15, Op.HEARTBEAT)
        with pytest.raises(RemoteFault) as caught:
            await cp.to_cs(only15.url, V16, Op.HEARTBEAT)
        assert caught.value.fault.subcode is FaultSubcode.NOT_SUPPORTED
    async with only15:  # stop() closed the database; start() opens it again
        await cp.to_cs(only15.url, V15, Op.HEARTBEAT)
        assert only15.store.charge_point("CP-1")["last_heartbeat"] is not None
