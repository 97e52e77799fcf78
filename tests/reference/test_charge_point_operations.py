"""Every ChargePointService operation of each version, answered by the reference station."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal

import pytest
from aiohttp import web

from ocppcert.messages import Op
from ocppcert.reference.charge_point.station import BootState
from ocppcert.roles.endpoint import RemoteFault
from ocppcert.versions import OcppVersion
from tests.reference.charge_point_rig import (  # noqa: F401
    VERSIONS,
    rig_fixture,
    status_values,
)

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16
SINCE_15 = [V15, V16]


async def charging(station, cs, connector=1, tag="TAG"):
    station.plug_in(connector)
    result = await station.present_id_tag(tag, connector)
    assert result["result"] == "started", result
    start = await cs.wait_op(Op.START_TRANSACTION, where=lambda m: m.connector_id == connector)
    c = station.connectors[connector]
    await station.wait_until(lambda: c.tx is not None and c.tx.transaction_id is not None
                             and c.reported is not None and c.reported[0] == c.status[0],
                             timeout=5)
    return start[-1], station.connectors[connector].tx.transaction_id


# ---- Reset --------------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", ["Soft", "Hard"])
async def test_reset_stops_transactions_then_boots_again(rig, version, kind):
    station, cs = await rig.booted(version)
    _, transaction_id = await charging(station, cs)
    mark = cs.mark()
    answer = await cs.command(station, Op.RESET, type=kind)
    assert answer.status.value == "Accepted"
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.transaction_id == transaction_id
    if version is V16:
        assert stop.reason.value == f"{kind}Reset"
    await cs.wait(lambda: len(cs.since(mark, Op.BOOT_NOTIFICATION)) == 1)
    await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED, timeout=5)
    await cs.wait(lambda: len(cs.since(mark, Op.STATUS_NOTIFICATION)) >= 3)
    assert station.connectors[1].tx is None


# ---- UnlockConnector ----------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_unlock_connector(rig, version):
    station, cs = await rig.booted(version)
    ok, bad = ("Unlocked", "NotSupported") if version is V16 else ("Accepted", "Rejected")
    assert (await cs.command(station, Op.UNLOCK_CONNECTOR, connector_id=1)).status.value == ok
    assert (await cs.command(station, Op.UNLOCK_CONNECTOR, connector_id=9)).status.value == bad
    station.set_lock_failure(2, True)
    failed = "UnlockFailed" if version is V16 else "Rejected"
    assert (await cs.command(station, Op.UNLOCK_CONNECTOR, connector_id=2)).status.value == failed


async def test_unlock_connector_with_transaction_stops_it_unlock_command(rig):
    station, cs = await rig.booted(V16)
    _, transaction_id = await charging(station, cs)
    mark = cs.mark()
    answer = await cs.command(station, Op.UNLOCK_CONNECTOR, connector_id=1)
    assert answer.status.value == "Unlocked"
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert (stop.transaction_id, stop.reason.value) == (transaction_id, "UnlockCommand")
    await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Finishing"])


async def test_unlock_connector_fixed_cable_not_supported(rig):
    station, cs = await rig.booted(V16, fixed_cable=True)
    answer = await cs.command(station, Op.UNLOCK_CONNECTOR, connector_id=1)
    assert answer.status.value == "NotSupported"
    keys = await cs.command(station, Op.GET_CONFIGURATION,
                            key=["UnlockConnectorOnEVSideDisconnect"])
    assert keys.configuration_key[0].readonly is True


# ---- ChangeAvailability -------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_change_availability(rig, version):
    station, cs = await rig.booted(version)
    mark = cs.mark()
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=2, type="Inoperative")
    assert answer.status.value == "Accepted"
    await cs.wait(lambda: status_values(cs, 2, mark) == ["Unavailable"])
    # already in that state: Accepted again
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=2, type="Inoperative")
    assert answer.status.value == "Accepted"
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=7, type="Inoperative")
    assert answer.status.value == "Rejected"
    # with a transaction: Scheduled, applied when it ends
    await charging(station, cs, connector=1)
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=1, type="Inoperative")
    assert answer.status.value == "Scheduled"
    assert station.status_of(1)[0] != "Unavailable"
    await station.present_id_tag("TAG", 1)
    await cs.wait(lambda: status_values(cs, 1, mark)[-1:] == ["Unavailable"])
    # persisted across a reboot
    await station.reboot()
    await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED, timeout=5)
    assert station.status_of(2)[0] == "Unavailable" and station.status_of(1)[0] == "Unavailable"
    # the whole charge point, connector 0
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=0, type="Operative")
    assert answer.status.value == "Accepted"
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=1, type="Operative")
    answer = await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=0, type="Inoperative")
    await cs.wait(lambda: status_values(cs, 0, mark)[-1:] == ["Unavailable"])
    assert station.status_of(1)[0] == "Unavailable"
    result = await station.present_id_tag("TAG", 1)
    assert result["result"] == "rejected"


# ---- configuration ------------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_change_configuration(rig, version):
    station, cs = await rig.booted(version)
    heartbeat = "HeartbeatInterval" if version is V16 else "HeartBeatInterval"

    async def change(key, value):
        return (await cs.command(station, Op.CHANGE_CONFIGURATION, key=key, value=value)
                ).status.value

    assert await change(heartbeat, "120") == "Accepted"
    assert station.config.get_int("HeartbeatInterval") == 120
    assert await change(heartbeat.lower(), "121") == "Accepted"  # CiString
    assert await change(heartbeat, "often") == "Rejected"
    assert await change(heartbeat, "-5") == "Rejected"
    assert await change("NoSuchKey", "1") == "NotSupported"
    assert await change("ChargePointId" if version is not V16 else "NumberOfConnectors",
                        "3") == "Rejected"
    if version is V16:
        assert await change("MeterValuesSampledData", "Voltage.L1,Energy.Active.Import.Register") \
            == "Accepted"
        assert await change("MeterValuesSampledData", "Bogus") == "Rejected"
        assert await change("LocalAuthorizeOffline", "maybe") == "Rejected"
    # persisted in SQLite (survives a reboot)
    await station.reboot()
    assert station.config.get_int("HeartbeatInterval") in (121, 60)  # boot answer may overwrite


@pytest.mark.parametrize("version", SINCE_15)
async def test_get_configuration(rig, version):
    station, cs = await rig.booted(version)
    everything = await cs.command(station, Op.GET_CONFIGURATION)
    names = {k.key for k in everything.configuration_key}
    if version is V16:
        assert {"HeartbeatInterval", "NumberOfConnectors", "SupportedFeatureProfiles",
                "TransactionMessageAttempts", "LocalAuthListEnabled",
                "ChargeProfileMaxStackLevel"} <= names
        flags = {k.key: (k.readonly, k.value) for k in everything.configuration_key}
        assert flags["NumberOfConnectors"] == (True, "2")
        assert flags["HeartbeatInterval"][0] is False
    else:
        assert {"HeartBeatInterval", "MeterValuesSampledData", "StopTxnAlignedData"} <= names
    some = await cs.command(station, Op.GET_CONFIGURATION,
                            key=["MeterValueSampleInterval", "Nonsense"])
    assert [k.key for k in some.configuration_key] == ["MeterValueSampleInterval"]
    assert some.unknown_key == ["Nonsense"]
    if version is V16:
        station.config.set_local("GetConfigurationMaxKeys", "2")
        with pytest.raises(RemoteFault) as caught:
            await cs.command(station, Op.GET_CONFIGURATION, key=["A", "B", "C"])
        assert caught.value.fault.subcode.value == "ProtocolError"


# ---- ClearCache / local list --------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_clear_cache(rig, version):
    station, cs = await rig.booted(version)
    await station.present_id_tag("CACHE-ME", 1)
    assert station.auth.lookup("CACHE-ME", station.clock.now())[0] is not None
    assert (await cs.command(station, Op.CLEAR_CACHE)).status.value == "Accepted"
    assert station.auth.lookup("CACHE-ME", station.clock.now())[0] is None


@pytest.mark.parametrize("version", SINCE_15)
async def test_send_local_list_and_version(rig, version):
    station, cs = await rig.booted(version)
    assert (await cs.command(station, Op.GET_LOCAL_LIST_VERSION)).list_version == 0
    info = station.types.IdTagInfo  # same shape in the CP namespace
    cp = station.cp_types
    entry_cls = cp.AuthorizationData if version is V16 else cp.AuthorisationData
    items = [entry_cls(id_tag="LISTED", id_tag_info=cp.IdTagInfo(status="Accepted"))]
    field = "local_authorization_list" if version is V16 else "local_authorisation_list"
    answer = await cs.command(station, Op.SEND_LOCAL_LIST, update_type="Full", list_version=3,
                              **{field: items})
    assert answer.status.value == "Accepted"
    assert info is not None
    assert (await cs.command(station, Op.GET_LOCAL_LIST_VERSION)).list_version == 3
    answer = await cs.command(station, Op.SEND_LOCAL_LIST, update_type="Differential",
                              list_version=2, **{field: []})
    assert answer.status.value == "VersionMismatch"


async def test_local_list_not_supported_without_the_profile(rig):
    station, cs = await rig.booted(V16, feature_profiles=("Core",))
    assert (await cs.command(station, Op.GET_LOCAL_LIST_VERSION)).list_version == -1
    answer = await cs.command(station, Op.SEND_LOCAL_LIST, update_type="Full", list_version=1)
    assert answer.status.value == "NotSupported"
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=1, id_tag="X",
                              reservation_id=1,
                              expiry_date=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert answer.status.value == "Rejected"
    answer = await cs.command(station, Op.TRIGGER_MESSAGE, requested_message="Heartbeat")
    assert answer.status.value == "NotImplemented"


# ---- remote start / stop ------------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
async def test_remote_start_and_stop(rig, version):
    station, cs = await rig.booted(version)
    mark = cs.mark()
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="REMOTE",
                              connector_id=1)
    assert answer.status.value == "Accepted"
    await station.wait_until(lambda: station.connectors[1].pending is not None, timeout=5)
    station.plug_in(1)
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    assert start.id_tag == "REMOTE"
    assert not cs.since(mark, Op.AUTHORIZE)  # AuthorizeRemoteTxRequests false by default
    await station.wait_until(lambda: station.connectors[1].tx.transaction_id is not None, timeout=5)
    answer = await cs.command(station, Op.REMOTE_STOP_TRANSACTION, transaction_id=424242)
    assert answer.status.value == "Rejected"
    answer = await cs.command(station, Op.REMOTE_STOP_TRANSACTION,
                              transaction_id=cs.next_transaction_id)
    assert answer.status.value == "Accepted"
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    if version is V16:
        assert stop.reason.value == "Remote"
    # connector 0 is not a connector; a busy connector cannot start
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="R", connector_id=0)
    assert answer.status.value == "Rejected"


async def test_remote_start_authorized_first_and_times_out(rig):
    station, cs = await rig.booted(V16, config={"AuthorizeRemoteTxRequests": "true",
                                                "ConnectionTimeOut": "10"})
    mark = cs.mark()
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="REMOTE",
                              connector_id=2)
    assert answer.status.value == "Accepted"
    assert (await cs.wait_op(Op.AUTHORIZE))[0].id_tag == "REMOTE"
    await cs.wait(lambda: status_values(cs, 2, mark) == ["Preparing", "Available"])
    assert Op.START_TRANSACTION not in cs.ops()


async def test_remote_start_with_charging_profile(rig):
    station, cs = await rig.booted(V16)
    cp = station.cp_types
    profile = cp.ChargingProfile(
        charging_profile_id=7, stack_level=0, charging_profile_purpose="TxProfile",
        charging_profile_kind="Relative",
        charging_schedule=cp.ChargingSchedule(
            charging_rate_unit="A",
            charging_schedule_period=[cp.ChargingSchedulePeriod(start_period=0,
                                                                limit=Decimal("6"))]))
    station.plug_in(1)
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="SMART",
                              connector_id=1, charging_profile=profile)
    assert answer.status.value == "Accepted"
    await cs.wait_op(Op.START_TRANSACTION)
    await station.wait_until(lambda: station.connectors[1].meter.offered_w == 6 * 230 * 3)
    wrong = cp.ChargingProfile(
        charging_profile_id=8, stack_level=0, charging_profile_purpose="TxDefaultProfile",
        charging_profile_kind="Relative", charging_schedule=profile.charging_schedule)
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="SMART",
                              connector_id=2, charging_profile=wrong)
    assert answer.status.value == "Rejected"


# ---- smart charging -----------------------------------------------------------------------

async def test_charging_profiles_limit_power_and_composite_schedule(rig):
    station, cs = await rig.booted(V16)
    cp = station.cp_types
    _, transaction_id = await charging(station, cs)
    full = station.connectors[1].meter.power_w
    assert full == 16 * 230 * 3

    def profile(purpose, limit, pid, **kw):
        return cp.ChargingProfile(
            charging_profile_id=pid, stack_level=1, charging_profile_purpose=purpose,
            charging_profile_kind="Absolute",
            charging_schedule=cp.ChargingSchedule(
                charging_rate_unit="W", start_schedule=dt.datetime.now(dt.UTC)
                - dt.timedelta(minutes=1),
                charging_schedule_period=[cp.ChargingSchedulePeriod(start_period=0,
                                                                    limit=Decimal(limit))]),
            **kw)

    answer = await cs.command(station, Op.SET_CHARGING_PROFILE, connector_id=1,
                              cs_charging_profiles=profile("TxProfile", 4000, 1,
                                                           transaction_id=transaction_id))
    assert answer.status.value == "Accepted"
    await station.wait_until(lambda: station.connectors[1].meter.power_w == 4000, timeout=5)
    answer = await cs.command(station, Op.SET_CHARGING_PROFILE, connector_id=2,
                              cs_charging_profiles=profile("TxProfile", 4000, 2))
    assert answer.status.value == "Rejected"  # no transaction on connector 2
    composite = await cs.command(station, Op.GET_COMPOSITE_SCHEDULE, connector_id=1,
                                 duration=600, charging_rate_unit="W")
    assert composite.status.value == "Accepted" and composite.connector_id == 1
    assert composite.charging_schedule.charging_schedule_period[0].limit == 4000
    answer = await cs.command(station, Op.GET_COMPOSITE_SCHEDULE, connector_id=5, duration=60)
    assert answer.status.value == "Rejected"
    # a zero limit suspends the EVSE
    mark = cs.mark()
    await cs.command(station, Op.SET_CHARGING_PROFILE, connector_id=1,
                     cs_charging_profiles=profile("TxProfile", 0, 1, transaction_id=transaction_id))
    await cs.wait(lambda: status_values(cs, 1, mark) == ["SuspendedEVSE"])
    answer = await cs.command(station, Op.CLEAR_CHARGING_PROFILE, id=1)
    assert answer.status.value == "Accepted"
    await cs.wait(lambda: status_values(cs, 1, mark) == ["SuspendedEVSE", "Charging"])
    answer = await cs.command(station, Op.CLEAR_CHARGING_PROFILE, id=99)
    assert answer.status.value == "Unknown"


# ---- TriggerMessage -----------------------------------------------------------------------

@pytest.mark.parametrize(("what", "op"), [
    ("BootNotification", Op.BOOT_NOTIFICATION), ("Heartbeat", Op.HEARTBEAT),
    ("StatusNotification", Op.STATUS_NOTIFICATION), ("MeterValues", Op.METER_VALUES),
    ("DiagnosticsStatusNotification", Op.DIAGNOSTICS_STATUS_NOTIFICATION),
    ("FirmwareStatusNotification", Op.FIRMWARE_STATUS_NOTIFICATION)])
async def test_trigger_message(rig, what, op):
    station, cs = await rig.booted(V16)
    mark = cs.mark()
    answer = await cs.command(station, Op.TRIGGER_MESSAGE, requested_message=what,
                              connector_id=1)
    assert answer.status.value == "Accepted"
    await cs.wait(lambda: cs.since(mark, op))
    sent = cs.since(mark, op)[0].message
    if op is Op.STATUS_NOTIFICATION:
        assert (sent.connector_id, sent.status.value) == (1, "Available")
    if op is Op.METER_VALUES:
        assert sent.meter_value[0].sampled_value[0].context.value == "Trigger"
    if op in (Op.DIAGNOSTICS_STATUS_NOTIFICATION, Op.FIRMWARE_STATUS_NOTIFICATION):
        assert sent.status.value == "Idle"
    answer = await cs.command(station, Op.TRIGGER_MESSAGE, requested_message=what,
                              connector_id=3)
    assert answer.status.value == "Rejected"


# ---- DataTransfer -------------------------------------------------------------------------

@pytest.mark.parametrize("version", SINCE_15)
async def test_data_transfer(rig, version):
    station, cs = await rig.booted(version)
    answer = await cs.command(station, Op.DATA_TRANSFER, vendor_id="acme", data="x")
    assert answer.status.value == "UnknownVendorId"
    answer = await cs.command(station, Op.DATA_TRANSFER, vendor_id="ocppcert",
                              message_id="echo", data="ping")
    assert (answer.status.value, answer.data) == ("Accepted", "ping")
    answer = await cs.command(station, Op.DATA_TRANSFER, vendor_id="ocppcert", message_id="zzz")
    assert answer.status.value == "UnknownMessageId"


# ---- reservations -------------------------------------------------------------------------

def _soon(seconds):
    return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("version", SINCE_15)
async def test_reservation_used_by_its_id_tag(rig, version):
    station, cs = await rig.booted(version)
    mark = cs.mark()
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=1, id_tag="OWNER",
                              reservation_id=11, expiry_date=_soon(3600))
    assert answer.status.value == "Accepted"
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Reserved"])
    station.plug_in(1)
    assert (await station.present_id_tag("STRANGER", 1))["result"] == "rejected"
    assert (await station.present_id_tag("OWNER", 1))["result"] == "started"
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    assert start.reservation_id == 11
    assert not station.reservations
    answer = await cs.command(station, Op.CANCEL_RESERVATION, reservation_id=11)
    assert answer.status.value == "Rejected"


async def test_reservation_by_parent_id_tag_and_cancel(rig):
    station, cs = await rig.booted(V16)
    cs.parents["MEMBER"] = "CLUB"
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=2, id_tag="SOMEONE",
                              parent_id_tag="CLUB", reservation_id=5, expiry_date=_soon(3600))
    assert answer.status.value == "Accepted"
    station.plug_in(2)
    assert (await station.present_id_tag("MEMBER", 2))["result"] == "started"
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    assert start.reservation_id == 5
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=1, id_tag="A",
                              reservation_id=6, expiry_date=_soon(3600))
    assert answer.status.value == "Accepted"
    assert (await cs.command(station, Op.CANCEL_RESERVATION, reservation_id=6)
            ).status.value == "Accepted"
    assert station.status_of(1)[0] == "Available"


async def test_reservation_expires(rig):
    station, cs = await rig.booted(V16)
    mark = cs.mark()
    answer = await cs.command(station, Op.RESERVE_NOW, connector_id=1, id_tag="LATE",
                              reservation_id=21, expiry_date=_soon(0.4))
    assert answer.status.value == "Accepted"
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Reserved", "Available"])
    assert not station.reservations


async def test_reservation_refusals(rig):
    station, cs = await rig.booted(V16)

    async def reserve(connector_id, rid=1):
        return (await cs.command(station, Op.RESERVE_NOW, connector_id=connector_id,
                                 id_tag="T", reservation_id=rid, expiry_date=_soon(3600))
                ).status.value

    station.set_fault(1, "GroundFailure")
    assert await reserve(1) == "Faulted"
    station.set_fault(1, None)
    await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=1, type="Inoperative")
    assert await reserve(1) == "Unavailable"
    await cs.command(station, Op.CHANGE_AVAILABILITY, connector_id=1, type="Operative")
    station.plug_in(1)
    assert await reserve(1) == "Occupied"
    station.unplug(1)
    assert await reserve(9) == "Rejected"
    assert await reserve(0, rid=2) == "Accepted"  # ReserveConnectorZeroSupported
    station.config.set_local("ReserveConnectorZeroSupported", "false")
    assert await reserve(0, rid=3) == "Rejected"


# ---- diagnostics and firmware ---------------------------------------------------------------

@pytest.fixture
async def files_server():
    """A loopback HTTP server: PUT stores uploads, GET serves stored files."""
    stored: dict[str, bytes] = {}

    async def put(request):
        stored[request.match_info["name"]] = await request.read()
        return web.Response(status=201)

    async def get(request):
        data = stored.get(request.match_info["name"])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    app = web.Application()
    app.add_routes([web.put("/files/{name}", put), web.get("/files/{name}", get)])
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/files/", stored
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("version", VERSIONS)
async def test_get_diagnostics_to_a_file_url(rig, tmp_path, version):
    station, cs = await rig.booted(version)
    target = tmp_path / "uploads"
    target.mkdir()
    answer = await cs.command(station, Op.GET_DIAGNOSTICS, location=target.as_uri() + "/")
    assert answer.file_name and answer.file_name.startswith("diagnostics-CP-1")
    notes = await cs.wait_op(Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                             where=lambda m: m.status.value != "Uploading")
    assert notes[0].status.value == "Uploaded"
    content = (target / answer.file_name).read_text()
    assert "BootNotification" in content
    if version is V16:
        assert [m.status.value for m in cs.of(Op.DIAGNOSTICS_STATUS_NOTIFICATION)] == [
            "Uploading", "Uploaded"]


async def test_get_diagnostics_to_http_and_failure(rig, files_server):
    base, stored = files_server
    station, cs = await rig.booted(V16)
    answer = await cs.command(station, Op.GET_DIAGNOSTICS, location=base)
    await cs.wait_op(Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "Uploaded")
    assert b"OCPP 1.6" in stored[answer.file_name]
    await cs.command(station, Op.GET_DIAGNOSTICS, location="ftp://127.0.0.1:1/x/", retries=1,
                     retry_interval=1)
    await cs.wait_op(Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "UploadFailed")


@pytest.mark.parametrize("version", VERSIONS)
async def test_update_firmware_from_a_file_url(rig, tmp_path, version):
    station, cs = await rig.booted(version)
    image = tmp_path / "fw.bin"
    image.write_bytes(b"OCPPCERT-FIRMWARE 2.0.0\npayload\n")
    mark = cs.mark()
    await cs.command(station, Op.UPDATE_FIRMWARE, location=image.as_uri(),
                     retrieve_date=dt.datetime.now(dt.UTC))
    await cs.wait_op(Op.FIRMWARE_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "Installed")
    boot = cs.since(mark, Op.BOOT_NOTIFICATION)[0].message
    assert boot.firmware_version == "2.0.0"
    expected = (["Downloading", "Downloaded", "Installing", "Installed"] if version is V16
                else ["Downloaded", "Installed"])
    assert [m.status.value for m in cs.of(Op.FIRMWARE_STATUS_NOTIFICATION)] == expected
    # the boot came between Installing and Installed
    ops = [r.op for r in cs.since(mark, Op.BOOT_NOTIFICATION, Op.FIRMWARE_STATUS_NOTIFICATION)]
    assert ops[-2:] == [Op.BOOT_NOTIFICATION, Op.FIRMWARE_STATUS_NOTIFICATION]


async def test_update_firmware_over_http_waits_for_retrieve_date_and_fails_cleanly(
        rig, files_server):
    base, stored = files_server
    stored["good.bin"] = b"OCPPCERT-FIRMWARE 3.1\n"
    stored["bad.bin"] = b"garbage"
    station, cs = await rig.booted(V16)
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=0.3)
    await cs.command(station, Op.UPDATE_FIRMWARE, location=base + "good.bin", retrieve_date=when)
    first = await cs.wait_op(Op.FIRMWARE_STATUS_NOTIFICATION)
    assert cs.received[-1].time >= when - dt.timedelta(milliseconds=50)
    assert first[0].status.value == "Downloading"
    await cs.wait_op(Op.FIRMWARE_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "Installed")
    assert station.firmware == "3.1"
    mark = cs.mark()
    await cs.command(station, Op.UPDATE_FIRMWARE, location=base + "bad.bin",
                     retrieve_date=dt.datetime.now(dt.UTC))
    await cs.wait(lambda: [r.message.status.value for r in cs.since(
        mark, Op.FIRMWARE_STATUS_NOTIFICATION)][-1:] == ["InstallationFailed"])
    mark = cs.mark()
    await cs.command(station, Op.UPDATE_FIRMWARE, location=base + "missing.bin", retries=2,
                     retry_interval=1, retrieve_date=dt.datetime.now(dt.UTC))
    await cs.wait(lambda: [r.message.status.value for r in cs.since(
        mark, Op.FIRMWARE_STATUS_NOTIFICATION)] == ["Downloading", "DownloadFailed"])
    assert station.firmware == "3.1"


async def test_firmware_installs_only_after_the_transaction(rig, tmp_path):
    station, cs = await rig.booted(V16)
    image = tmp_path / "fw.bin"
    image.write_bytes(b"OCPPCERT-FIRMWARE 9\n")
    await charging(station, cs)
    await cs.command(station, Op.UPDATE_FIRMWARE, location=image.as_uri(),
                     retrieve_date=dt.datetime.now(dt.UTC))
    await cs.wait_op(Op.FIRMWARE_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "Downloaded")
    await asyncio.sleep(0)
    assert station.firmware_status == "Downloaded"
    await station.present_id_tag("TAG", 1)
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.reason.value == "Local"
    await cs.wait_op(Op.FIRMWARE_STATUS_NOTIFICATION,
                     where=lambda m: m.status.value == "Installed")


async def test_remote_start_without_connector_picks_the_plugged_one(rig):
    station, cs = await rig.booted(V16)
    station.plug_in(2)
    answer = await cs.command(station, Op.REMOTE_START_TRANSACTION, id_tag="ANY")
    assert answer.status.value == "Accepted"
    start = (await cs.wait_op(Op.START_TRANSACTION))[0]
    assert start.connector_id == 2 and start.id_tag == "ANY"


async def test_max_energy_on_invalid_id_then_suspended(rig):
    station, cs = await rig.booted(V16, config={"StopTransactionOnInvalidId": "false",
                                                "MaxEnergyOnInvalidId": "50"})
    cs.start_status["LATE"] = "Invalid"
    mark = cs.mark()
    station.plug_in(1)
    await station.present_id_tag("LATE", 1)
    await station.wait_until(lambda: station.connectors[1].tx is not None
                             and station.connectors[1].tx.deauthorized)
    cap = station.connectors[1].tx.energy_cap
    await cs.wait(lambda: "SuspendedEVSE" in status_values(cs, 1, mark))
    assert station.connectors[1].meter.register() >= cap
    assert station.connectors[1].tx is not None  # not stopped


async def test_triggered_boot_answered_pending_boots_again(rig):
    station, cs = await rig.booted(V16)
    cs.boot_answers = [("Pending", 10)]
    mark = cs.mark()
    answer = await cs.command(station, Op.TRIGGER_MESSAGE, requested_message="BootNotification")
    assert answer.status.value == "Accepted"
    await station.wait_until(lambda: station.boot_state is BootState.PENDING)
    await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED)
    assert len(cs.since(mark, Op.BOOT_NOTIFICATION)) == 2
