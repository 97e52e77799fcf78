"""The reference Central System's control API end to end over HTTP, and
``ocppcert serve central-system`` as a real process (docs/control-central-system.md)."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
import subprocess
import sys

import aiohttp
import pytest

from ocppcert.messages import Op
from ocppcert.reference.central_system import CentralSystemControl
from ocppcert.soap import Headers

from .central_system_rig import (
    NOW,
    V15,
    V16,
    RecordingChargePoint,
    boot,
    request,
    start,
)


@pytest.fixture
async def api(cs):
    control = CentralSystemControl(cs)
    await control.start()
    async with aiohttp.ClientSession(base_url=control.url) as session:
        yield session
    await control.stop()


async def call(session, method: str, path: str, body=None) -> tuple[int, dict]:
    async with session.request(method, path, json=body) as response:
        return response.status, await response.json()


async def test_routes_are_listed(api):
    status, body = await call(api, "GET", "/")
    assert status == 200
    assert "POST /charge-points/{id}/commands/{operation}" in " ".join(body["routes"])


async def test_id_tags(api, cs, cp):
    status, tag = await call(api, "PUT", "/id-tags/T-1", {
        "status": "Accepted", "expiryDate": "2030-05-01T10:00:00Z", "parentIdTag": "G"})
    assert status == 200
    assert tag == {"idTag": "T-1", "status": "Accepted", "expiryDate": "2030-05-01T10:00:00Z",
                   "parentIdTag": "G"}
    await call(api, "PUT", "/id-tags/T-2", {"status": "Blocked"})
    status, listed = await call(api, "GET", "/id-tags")
    assert [t["idTag"] for t in listed["idTags"]] == ["T-1", "T-2"]
    status, one = await call(api, "GET", "/id-tags/t-1")
    assert one["idTagInfo"] == {"status": "Accepted", "expiryDate": "2030-05-01T10:00:00Z",
                                "parentIdTag": "G"}
    # What the Central System answers follows the store.
    answer = await cp.to_cs(cs.url, V16, Op.AUTHORIZE, id_tag="T-2")
    assert answer.id_tag_info.status.value == "Blocked"
    assert (await call(api, "DELETE", "/id-tags/T-2"))[0] == 200
    answer = await cp.to_cs(cs.url, V16, Op.AUTHORIZE, id_tag="T-2")
    assert answer.id_tag_info.status.value == "Invalid"
    assert (await call(api, "DELETE", "/id-tags/T-2"))[0] == 404
    for bad in ({"status": "ConcurrentTx"}, {"status": "Accepted", "expiryDate": "later"},
                {"status": "Accepted", "parentIdTag": "P" * 21}, {"status": "Accepted", "x": 1}):
        status, error = await call(api, "PUT", "/id-tags/T-3", bad)
        assert status == 400 and error["error"]


async def test_boot_response_and_charge_point_views(api, cs, cp):
    status, configured = await call(api, "PUT", "/charge-points/CP-1/boot-response",
                                    {"status": "Pending", "interval": 7})
    assert status == 200
    assert configured["bootResponse"] == {"status": "Pending", "interval": 7, "configured": True}
    pending = await boot(cp, cs, V16)
    assert (pending.status.value, pending.interval) == ("Pending", 7)
    await cp.to_cs(cs.url, V16, Op.STATUS_NOTIFICATION, connector_id=1, status="Preparing",
                   error_code="NoError")
    status, listed = await call(api, "GET", "/charge-points")
    assert [c["id"] for c in listed["chargePoints"]] == ["CP-1"]
    status, one = await call(api, "GET", "/charge-points/CP-1")
    assert (one["endpoint"], one["ocppVersion"], one["registrationStatus"]) == (
        cp.url, "1.6", "Pending")
    assert one["boot"]["chargePointVendor"] == "Acme"
    assert one["boot"]["firmwareVersion"] == "1.0.3"
    assert one["connectors"][0]["status"] == "Preparing"
    assert one["connectors"][0]["errorCode"] == "NoError"
    # Pending is refused for a charge point that speaks 1.5.
    await cp.to_cs(cs.url, V15, Op.HEARTBEAT)
    status, error = await call(api, "PUT", "/charge-points/CP-1/boot-response",
                               {"status": "Pending"})
    assert status == 400 and "1.6" in error["error"]
    for bad in ({"status": "Maybe"}, {"interval": -1}, {"interval": "10"}, {"other": 1}):
        assert (await call(api, "PUT", "/charge-points/CP-1/boot-response", bad))[0] == 400
    assert (await call(api, "GET", "/charge-points/NOBODY"))[0] == 404


async def test_commands(api, cs, cp):
    await boot(cp, cs, V16)
    status, body = await call(api, "POST", "/charge-points/CP-1/commands/ChangeConfiguration",
                              {"key": "HeartbeatInterval", "value": "30"})
    assert status == 200 and body == {"response": {"status": "Accepted"}, "ocppVersion": "1.6"}
    got = cp.commands(Op.CHANGE_CONFIGURATION)[-1]
    assert (got.key, got.value) == ("HeartbeatInterval", "30")
    status, body = await call(api, "POST", "/charge-points/CP-1/commands/RemoteStartTransaction",
                              {"idTag": "T", "connectorId": 1})
    assert status == 200 and cp.commands(Op.REMOTE_START_TRANSACTION)[-1].id_tag == "T"

    status, body = await call(api, "POST", "/charge-points/CP-1/commands/Teleport", {})
    assert status == 404
    status, body = await call(api, "POST", "/charge-points/CP-1/commands/Reset",
                              {"type": "Sideways"})
    assert (status, body["kind"]) == (400, "invalid-request")
    status, body = await call(api, "POST", "/charge-points/NOBODY/commands/Reset",
                              {"type": "Hard"})
    assert (status, body["kind"]) == (404, "unknown-charge-point")
    # CP-1's address under another identity: its IdentityMismatch fault is reported.
    impostor = Headers.request("/Heartbeat", charge_box_identity="CP-X", to=cs.url,
                               from_address=cp.url)
    await cp.call(cs.url, request(V16, Op.HEARTBEAT), charge_box_identity="CP-X",
                  headers=impostor)
    status, body = await call(api, "POST", "/charge-points/CP-X/commands/Reset", {"type": "Hard"})
    assert (status, body["kind"], body["fault"]["subcode"]) == (502, "fault", "IdentityMismatch")


async def test_local_list(api, cs, cp):
    await boot(cp, cs, V15)
    entries = [{"idTag": "L-1", "idTagInfo": {"status": "Accepted"}}]
    status, outcome = await call(api, "POST", "/charge-points/CP-1/local-list",
                                 {"updateType": "Full", "entries": entries})
    assert status == 200 and (outcome["listVersion"], outcome["status"]) == (1, "Accepted")
    cp.list_answers = ["VersionMismatch"]
    status, outcome = await call(api, "POST", "/charge-points/CP-1/local-list",
                                 {"updateType": "Differential", "entries": [{"idTag": "L-1"}]})
    assert (outcome["status"], outcome["resent"]["status"]) == ("VersionMismatch", "Accepted")
    status, state = await call(api, "GET", "/charge-points/CP-1/local-list")
    assert (state["listVersion"], state["entries"]) == (2, [])
    assert state["acknowledged"]["listVersion"] == 2 and len(state["updates"]) == 3
    status, error = await call(api, "POST", "/charge-points/CP-1/local-list",
                               {"updateType": "Full", "entries": [{"idTag": "L-1"}]})
    assert status == 400 and "idTagInfo" in error["error"]
    assert (await call(api, "GET", "/charge-points/NOBODY/local-list"))[0] == 404


async def test_transactions_unknown_stops_and_messages(api, cs, cp):
    tx1 = (await start(cp, cs, V16, "A", connector=1)).transaction_id
    tx2 = (await start(cp, cs, V16, "B", connector=2)).transaction_id
    await cp.to_cs(cs.url, V16, Op.METER_VALUES, connector_id=1, transaction_id=tx1,
                   meter_value=[_reading(NOW, "150")])
    await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=tx1, timestamp=NOW,
                   meter_stop=200, reason="Local")
    await cp.to_cs(cs.url, V16, Op.STOP_TRANSACTION, transaction_id=4040, timestamp=NOW,
                   meter_stop=1)
    status, listed = await call(api, "GET", "/transactions")
    assert [t["transactionId"] for t in listed["transactions"]] == [tx1, tx2]
    status, ongoing = await call(api, "GET", "/transactions?ongoing=true&charge_point=CP-1")
    assert [t["transactionId"] for t in ongoing["transactions"]] == [tx2]
    status, done = await call(api, "GET", f"/transactions/{tx1}")
    assert (done["meterStart"], done["meterStop"], done["reason"], done["ongoing"]) == (
        100, 200, "Local", False)
    assert done["meterValues"][0]["sampledValue"] == [{"value": "150"}]
    assert (await call(api, "GET", "/transactions/999"))[0] == 404
    assert (await call(api, "GET", "/transactions?ongoing=maybe"))[0] == 400
    status, unknown = await call(api, "GET", "/unknown-stops")
    assert [u["transactionId"] for u in unknown["unknownStops"]] == [4040]
    status, messages = await call(api, "GET", "/messages?charge_point=CP-1&limit=3")
    assert [m["operation"] for m in messages["messages"]] == [
        "StartTransaction", "StartTransaction", "StartTransaction"]
    assert [m["direction"] for m in messages["messages"]] == ["in", "out", "in"]
    after = messages["messages"][-1]["id"]
    status, rest = await call(api, "GET", f"/messages?after={after}&limit=1000")
    assert rest["messages"][0]["id"] > after and len(rest["messages"]) == 7
    assert "<" in rest["messages"][0]["xml"]
    assert (await call(api, "GET", "/messages?after=-1"))[0] == 400


def _reading(when: dt.datetime, value: str):
    from ocppcert.messages.v16.central_system import MeterValue, SampledValue

    return MeterValue(timestamp=when, sampled_value=[SampledValue(value=value)])


# -- ocppcert serve central-system as a process ---------------------------------------------
async def _line(stream: asyncio.StreamReader, prefix: str) -> str:
    while True:
        raw = await asyncio.wait_for(stream.readline(), timeout=30)
        assert raw, f"output ended before a line starting {prefix!r}"
        line = raw.decode().strip()
        if line.startswith(prefix):
            return line[len(prefix):].strip()


async def test_serve_runs_until_sigterm_and_exits_0(tmp_path, fixture_tools):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ocppcert", "serve", "central-system",
        "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
        "--db", str(tmp_path / "served.sqlite3"),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        soap_url = await _line(process.stdout, "SOAP endpoint:")
        control_url = await _line(process.stdout, "control API:")
        assert soap_url.startswith("http://127.0.0.1:")
        point = RecordingChargePoint(fixture_tools.sample)
        async with point:
            response = await point.to_cs(soap_url, V16, Op.HEARTBEAT)
            assert response.current_time is not None
        log = await _line(process.stdout, "")
        while "Heartbeat" not in log:
            log = await _line(process.stdout, "")
        assert "[CP-1]" in log
        async with aiohttp.ClientSession() as session:
            async with session.get(control_url + "/charge-points") as reply:
                assert (await reply.json())["chargePoints"][0]["id"] == "CP-1"
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def test_serve_with_the_port_in_use_exits_2_with_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "ocppcert", "serve", "central-system",
             "--listen", f"127.0.0.1:{port}", "--db", str(tmp_path / "x.sqlite3")],
            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0], result.stderr
