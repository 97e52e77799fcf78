"""End to end: the reference charge point against the reference Central System.

Both run on loopback over real HTTP with real SQLite files; nothing is stubbed. For each
version, the station is driven through its physical side (idTag, cable, stop button) and
the Central System sends it every ChargePointService command of the version, so that every
operation of both services crosses the wire. Every message, on both sides, must be
schema-valid, and each side's record must show every operation of its service.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from ocppcert.messages import Op, operations
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.reference.charge_point.station import (
    BootState,
    ChargePointTraits,
    ReferenceChargePoint,
)
from ocppcert.reference.db import connect
from ocppcert.transport import Direction, WireRecorder
from ocppcert.versions import OcppVersion, Service

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16
IDENTITY = "CP-E2E"
TAG = "TAG-E2E"


class Pair:
    def __init__(self, cs: ReferenceCentralSystem, cp: ReferenceChargePoint, tmp: Path) -> None:
        self.cs, self.cp, self.tmp = cs, cp, tmp

    async def command(self, op: Op, **fields: Any) -> Any:
        return await self.cs.command(IDENTITY, (op, fields), timeout=10)

    async def cs_saw(self, op: Op, *, after: int = 0, timeout: float = 10.0,
                     containing: bytes = b"") -> Any:
        """Wait for the Central System to receive a request of ``op`` (and answer it)."""
        request = await self.cs.wait_for(
            lambda r: r.direction is Direction.IN and r.operation == op.value
            and r.kind == "request" and containing in r.data, timeout=timeout, after=after)
        await self.cs.wait_for(
            lambda r: r.direction is Direction.OUT and r.relates_to == request.message_id,
            timeout=timeout, after=request.seq)
        return request

    async def accepted(self, timeout: float = 10.0) -> None:
        await self.cp.wait_until(lambda: self.cp.boot_state is BootState.ACCEPTED, timeout=timeout)


@pytest.fixture
async def pair(request, tmp_path):
    version: OcppVersion = request.param
    cs = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3", heartbeat_interval=2,
                                recorder=WireRecorder())
    cs.store.put_id_tag(TAG, "Accepted")
    await cs.start()
    traits = ChargePointTraits(connectors=2, time_scale=0.05, reconnect_interval=0.2,
                               power_tick=0.05)
    cp = ReferenceChargePoint(central_system_url=cs.url, identity=IDENTITY, version=version.value,
                              db=connect(tmp_path / "cp.sqlite3"), traits=traits,
                              recorder=WireRecorder())
    await cp.start()
    try:
        yield Pair(cs, cp, tmp_path)
    finally:
        await cp.stop()
        await cs.stop()


def _ops_seen(recorder: WireRecorder, direction: Direction) -> set[str]:
    return {r.operation for r in recorder.records
            if r.direction is direction and r.kind == "request" and r.operation}


def _invalid(recorder: WireRecorder) -> list[tuple[str | None, str | None, list[Any]]]:
    return [(r.operation, r.kind, r.violations) for r in recorder.records
            if r.valid is False]


@pytest.mark.parametrize("pair", [V12, V15, V16], indirect=True, ids=["1.2", "1.5", "1.6"])
async def test_every_operation_of_the_version_crosses_the_wire(pair: Pair) -> None:
    cs, cp = pair.cs, pair.cp
    version = cp.version
    await pair.accepted()
    await pair.cs_saw(Op.STATUS_NOTIFICATION)
    await pair.cs_saw(Op.HEARTBEAT)  # the boot answer's interval, scaled

    # -- configuration, then a transaction driven at the station -----------------------
    key = "MeterValueSampleInterval"
    answer = await pair.command(Op.CHANGE_CONFIGURATION, key=key, value="1")
    assert answer.status.value == "Accepted"
    if version is not V12:
        got = await pair.command(Op.GET_CONFIGURATION, key=[key])
        assert [(k.key, k.value) for k in got.configuration_key] == [(key, "1")]
    mark = cs.recorder.last_seq
    await cp.present_id_tag(TAG, 1)
    cp.plug_in(1)
    await pair.cs_saw(Op.AUTHORIZE, after=mark)
    start = await pair.cs_saw(Op.START_TRANSACTION, after=mark)
    await pair.cs_saw(Op.METER_VALUES, after=start.seq)
    cp.local_stop(1)
    stop = await pair.cs_saw(Op.STOP_TRANSACTION, after=start.seq)
    [transaction] = cs.store.transactions(charge_point=IDENTITY)
    assert not transaction["ongoing"] and transaction["stop_reason"] in (None, "Local")
    assert stop.valid
    cp.unplug(1)

    # -- remote start and stop ------------------------------------------------------------
    mark = cs.recorder.last_seq
    answer = await pair.command(Op.REMOTE_START_TRANSACTION, idTag=TAG, connectorId=2)
    assert answer.status.value == "Accepted"
    cp.plug_in(2)
    await pair.cs_saw(Op.START_TRANSACTION, after=mark)
    [running] = cs.store.transactions(charge_point=IDENTITY, ongoing=True)
    answer = await pair.command(Op.REMOTE_STOP_TRANSACTION, transactionId=running["id"])
    assert answer.status.value == "Accepted"
    await pair.cs_saw(Op.STOP_TRANSACTION, after=mark)
    cp.unplug(2)

    # -- the other commands -----------------------------------------------------------------
    answer = await pair.command(Op.CHANGE_AVAILABILITY, connectorId=1, type="Inoperative")
    assert answer.status.value == "Accepted"
    answer = await pair.command(Op.CHANGE_AVAILABILITY, connectorId=1, type="Operative")
    assert answer.status.value == "Accepted"
    assert (await pair.command(Op.CLEAR_CACHE)).status.value == "Accepted"
    answer = await pair.command(Op.UNLOCK_CONNECTOR, connectorId=1)
    assert answer.status.value == ("Unlocked" if version is V16 else "Accepted")

    mark = cs.recorder.last_seq
    uploads = pair.tmp / "diagnostics"
    uploads.mkdir()
    answer = await pair.command(Op.GET_DIAGNOSTICS, location=uploads.as_uri() + "/")
    await pair.cs_saw(Op.DIAGNOSTICS_STATUS_NOTIFICATION, after=mark, containing=b"Uploaded<")
    assert answer.file_name
    assert (uploads / answer.file_name).is_file()

    if version is not V12:
        answer = await pair.command(Op.DATA_TRANSFER, vendorId="ocppcert", data="ping")
        assert (answer.status.value, answer.data) == ("Accepted", "ping")
        mark = cs.recorder.last_seq
        reply = await cp.send(cp.request(Op.DATA_TRANSFER, vendor_id="ocppcert", data="pong"))
        assert reply.status.value == "Accepted" and reply.data == "pong"
        await pair.cs_saw(Op.DATA_TRANSFER, after=mark)

        expiry = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        answer = await pair.command(Op.RESERVE_NOW, connectorId=2, expiryDate=expiry.isoformat(),
                                    idTag=TAG, reservationId=7)
        assert answer.status.value == "Accepted"
        assert (await pair.command(Op.CANCEL_RESERVATION, reservationId=7)).status.value \
            == "Accepted"
        assert (await pair.command(Op.CANCEL_RESERVATION, reservationId=7)).status.value \
            == "Rejected"

        assert (await pair.command(Op.GET_LOCAL_LIST_VERSION)).list_version == 0
        result = await cs.send_local_list(IDENTITY, "Full", [
            {"idTag": TAG, "idTagInfo": {"status": "Accepted"}},
            {"idTag": "TAG-BLOCKED", "idTagInfo": {"status": "Blocked"}},
        ])
        assert result["status"] == "Accepted", result
        version_now = (await pair.command(Op.GET_LOCAL_LIST_VERSION)).list_version
        assert version_now == cs.local_list_state(IDENTITY)["listVersion"] >= 1

    if version is V16:
        profile = {"chargingProfileId": 1, "stackLevel": 0,
                   "chargingProfilePurpose": "ChargePointMaxProfile",
                   "chargingProfileKind": "Absolute",
                   "chargingSchedule": {"chargingRateUnit": "A", "startSchedule":
                                        (dt.datetime.now(dt.UTC)
                                         - dt.timedelta(minutes=1)).isoformat(),
                                        "chargingSchedulePeriod": [{"startPeriod": 0,
                                                                    "limit": 10}]}}
        answer = await pair.command(Op.SET_CHARGING_PROFILE, connectorId=0,
                                    csChargingProfiles=profile)
        assert answer.status.value == "Accepted"
        answer = await pair.command(Op.GET_COMPOSITE_SCHEDULE, connectorId=0, duration=600,
                                    chargingRateUnit="A")
        assert answer.status.value == "Accepted"
        assert answer.charging_schedule.charging_schedule_period[0].limit == 10
        assert (await pair.command(Op.CLEAR_CHARGING_PROFILE, id=1)).status.value == "Accepted"
        assert (await pair.command(Op.CLEAR_CHARGING_PROFILE, id=1)).status.value == "Unknown"
        mark = cs.recorder.last_seq
        answer = await pair.command(Op.TRIGGER_MESSAGE, requestedMessage="Heartbeat")
        assert answer.status.value == "Accepted"
        await pair.cs_saw(Op.HEARTBEAT, after=mark)

    # -- firmware, then a reset: both reboot the station -----------------------------------
    image = pair.tmp / "firmware.bin"
    image.write_bytes(b"OCPPCERT-FIRMWARE 2.0.0\nnot really a firmware\n")
    mark = cs.recorder.last_seq
    await pair.command(Op.UPDATE_FIRMWARE, location=image.as_uri(),
                       retrieveDate=dt.datetime.now(dt.UTC).isoformat())
    await pair.cs_saw(Op.FIRMWARE_STATUS_NOTIFICATION, after=mark,
                      containing=b"Installed<" if version is V16 else b"Downloaded<")
    boot = await pair.cs_saw(Op.BOOT_NOTIFICATION, after=mark, timeout=20)
    assert b"2.0.0" in boot.data  # the new firmware version reported at boot
    await pair.accepted()

    mark = cs.recorder.last_seq
    assert (await pair.command(Op.RESET, type="Soft")).status.value == "Accepted"
    await pair.cs_saw(Op.BOOT_NOTIFICATION, after=mark, timeout=20)
    await pair.accepted()

    # -- every operation crossed, and every message was valid ---------------------------------
    assert _ops_seen(cs.recorder, Direction.IN) == {
        op.value for op in operations(version, Service.CENTRAL_SYSTEM)}
    assert _ops_seen(cp.recorder, Direction.IN) == {
        op.value for op in operations(version, Service.CHARGE_POINT)}
    assert _invalid(cs.recorder) == []
    assert _invalid(cp.recorder) == []
    assert {r.ocpp_version for r in cs.recorder.records if r.ocpp_version} == {version.value}
