"""The charge point's control API over HTTP, ``serve`` as a real process, and the kill -9
crash test of the persistent queue."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import sys
from pathlib import Path

import aiohttp
import pytest

from ocppcert.messages import Op
from ocppcert.reference.charge_point.control import ChargePointControl
from tests.reference.charge_point_rig import (  # noqa: F401
    TX_MESSAGES,
    FakeCentralSystem,
    rig_fixture,
    status_values,
)

ROOT = Path(__file__).resolve().parents[2]


class Http:
    def __init__(self, base: str) -> None:
        self.base = base
        self.session = aiohttp.ClientSession()

    async def __call__(self, method: str, path: str, body: dict | None = None
                       ) -> tuple[int, dict]:
        async with self.session.request(method, self.base + path, json=body) as response:
            return response.status, await response.json()

    async def ok(self, method: str, path: str, body: dict | None = None) -> dict:
        status, data = await self(method, path, body)
        assert status == 200, (status, data)
        return data

    async def close(self) -> None:
        await self.session.close()


@pytest.fixture
async def controlled(rig):
    station, cs = await rig.booted("1.6")
    control = ChargePointControl(station)
    await control.start()
    http = Http(control.url)
    try:
        yield station, cs, http
    finally:
        await http.close()
        await control.stop()


async def test_control_api_drives_a_transaction(controlled):
    station, cs, http = controlled
    listing = await http.ok("GET", "/")
    assert any(route.startswith("POST /present") for route in listing["routes"])
    assert (await http.ok("POST", "/connectors/1/plug"))["status"] == "Preparing"
    result = await http.ok("POST", "/present", {"id_tag": "HTTP-TAG", "connector": 1})
    assert result["result"] == "started"
    state = await http.ok("POST", "/wait", {"connector": 1, "status": "Charging",
                                            "queue_length": 0, "timeout": 5})
    connector = state["connectors"][1]
    assert connector["transaction"]["id_tag"] == "HTTP-TAG"
    assert connector["transaction"]["transaction_id"] == cs.next_transaction_id
    stopped = await http.ok("POST", "/connectors/1/stop", {"reason": "EmergencyStop"})
    assert stopped["reason"] == "EmergencyStop"
    stop = (await cs.wait_op(Op.STOP_TRANSACTION))[0]
    assert stop.reason.value == "EmergencyStop"
    assert (await http.ok("POST", "/connectors/1/unplug"))["status"] == "Available"


async def test_control_api_offline_online_and_queue(controlled):
    station, cs, http = controlled
    await http.ok("PUT", "/config/AllowOfflineTxForUnknownId", {"value": True})
    assert (await http.ok("POST", "/offline")) == {"online": False}
    await http.ok("POST", "/connectors/2/plug")
    await http.ok("POST", "/present", {"id_tag": "OFF", "connector": 2})
    await http.ok("POST", "/present", {"id_tag": "OFF", "connector": 2})
    queue = await http.ok("GET", "/queue")
    assert [m["op"] for m in queue["messages"]] == ["StartTransaction", "StopTransaction"]
    state = await http.ok("GET", "/state")
    assert state["online"] is False and state["queue"]["length"] == 2
    mark = cs.mark()
    await http.ok("POST", "/online")
    await http.ok("POST", "/wait", {"queue_length": 0, "timeout": 5})
    assert [r.op for r in cs.since(mark, *TX_MESSAGES)] == [Op.START_TRANSACTION,
                                                           Op.STOP_TRANSACTION]


async def test_control_api_faults_power_clock_and_config(controlled):
    station, cs, http = controlled
    mark = cs.mark()
    await http.ok("POST", "/connectors/1/fault", {"error_code": "HighTemperature",
                                                   "info": "too hot"})
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Faulted"])
    faulted = [r.message for r in cs.since(mark, Op.STATUS_NOTIFICATION)][0]
    assert faulted.error_code.value == "HighTemperature" and faulted.info == "too hot"
    await http.ok("POST", "/connectors/1/clear-fault")
    await cs.wait(lambda: status_values(cs, 1, mark) == ["Faulted", "Available"])
    status, error = await http("POST", "/connectors/1/fault", {"error_code": "Melted"})
    assert status == 409 and "Melted" in error["error"]
    status, error = await http("POST", "/connectors/9/plug")
    assert status == 404
    status, error = await http("POST", "/present", {})
    assert status == 400
    # clock
    clock = await http.ok("POST", "/clock", {"time": "2030-01-01T00:00:00Z"})
    assert clock["now"].startswith("2030-01-01")
    # configuration
    key = await http.ok("GET", "/config/heartbeatinterval")
    assert key["key"] == "HeartbeatInterval" and key["readonly"] is False
    await http.ok("PUT", "/config/MeterValueSampleInterval", {"value": 15})
    assert station.config.get_int("MeterValueSampleInterval") == 15
    status, _ = await http("PUT", "/config/MeterValueSampleInterval", {"value": "x"})
    assert status == 400
    status, _ = await http("GET", "/config/Nope")
    assert status == 404
    everything = await http.ok("GET", "/config")
    assert any(k["key"] == "NumberOfConnectors" and k["readonly"] for k in everything["keys"])
    # power cut, then reboot: boot again
    await http.ok("POST", "/power-cut")
    state = await http.ok("GET", "/state")
    assert state["powered"] is False and state["boot"] == "Off"
    mark = cs.mark()
    await http.ok("POST", "/reboot")
    await http.ok("POST", "/wait", {"boot": "Accepted", "timeout": 5})
    assert cs.since(mark)[0].op is Op.BOOT_NOTIFICATION
    status, error = await http("POST", "/wait", {"boot": "Rejected", "timeout": 0.2})
    assert status == 408
    answer = await http.ok("POST", "/data-transfer", {"vendor_id": "ocppcert", "data": "hi"})
    assert answer == {"status": "Accepted", "data": "hi"}


# ---- serve as a real process ---------------------------------------------------------------

class Process:
    """``ocppcert serve charge-point`` in a subprocess; stdout drained into ``lines``."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._new = asyncio.Event()
        self._drain = asyncio.get_running_loop().create_task(self._read())

    @classmethod
    async def start(cls, *args: str) -> Process:
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ocppcert.cli", "serve", "charge-point", *args,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=ROOT, env=env)
        return cls(proc)

    async def _read(self) -> None:
        assert self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            self.lines.append(line.decode().rstrip("\n"))
            self._new.set()
            self._new = asyncio.Event()

    async def line_starting(self, prefix: str, timeout: float = 20.0) -> str:
        return await self._line(lambda line: line.startswith(prefix), timeout)

    async def line_containing(self, text: str, timeout: float = 20.0) -> str:
        return await self._line(lambda line: text in line, timeout)

    async def _line(self, wanted, timeout: float) -> str:
        async with asyncio.timeout(timeout):
            while True:
                for line in self.lines:
                    if wanted(line):
                        return line
                if self.proc.returncode is not None and self._drain.done():
                    raise AssertionError(f"process ended: {self.lines}")
                await self._new.wait()

    async def urls(self) -> tuple[str, str]:
        soap = (await self.line_starting("SOAP endpoint: ")).split(": ", 1)[1]
        control = (await self.line_starting("control API: ")).split(": ", 1)[1]
        return soap, control

    async def wait(self, timeout: float = 20.0) -> int:
        async with asyncio.timeout(timeout):
            code = await self.proc.wait()
            await self._drain
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
        await self.wait()


@pytest.fixture
async def central_system():
    cs = FakeCentralSystem()
    await cs.start()
    try:
        yield cs
    finally:
        await cs.stop()


async def test_serve_prints_urls_logs_messages_and_exits_0_on_sigterm(central_system, tmp_path):
    cs = central_system
    process = await Process.start("--central-system", cs.url, "--listen", "127.0.0.1:0",
                                  "--control", "127.0.0.1:0", "--db", str(tmp_path / "cp.db"),
                                  "--id", "CP-PROC", "--connectors", "3", "--ocpp", "1.5")
    try:
        soap_url, control_url = await process.urls()
        statuses = await cs.wait_op(Op.STATUS_NOTIFICATION, count=4, timeout=20)
        assert sorted(s.connector_id for s in statuses) == [0, 1, 2, 3]
        assert cs.received[0].from_address == soap_url
        assert cs.received[0].message.VERSION == "1.5"
        boot_line = await process.line_containing("BootNotification request")
        assert " -> " in boot_line and "[CP-PROC]" in boot_line
        async with aiohttp.ClientSession() as session:
            async with session.get(control_url + "/state") as response:
                state = await response.json()
        assert state["identity"] == "CP-PROC" and state["ocpp_version"] == "1.5"
        process.proc.send_signal(signal.SIGTERM)
        assert await process.wait() == 0
    finally:
        await process.kill()


async def test_serve_port_in_use_exits_2_with_one_line(central_system, tmp_path):
    cs = central_system
    busy = cs.server.port  # the Central System double already listens there
    process = await Process.start("--central-system", cs.url, "--listen", f"127.0.0.1:{busy}",
                                  "--db", str(tmp_path / "cp.db"))
    assert await process.wait() == 2
    assert process.proc.stderr is not None
    err = (await process.proc.stderr.read()).decode().strip().splitlines()
    assert len(err) == 1 and "cannot listen" in err[0]


async def test_kill_9_loses_no_queued_message_and_delivers_each_once_in_order(
        central_system, tmp_path):
    """The issue's crash test: queue transaction messages offline, kill -9, restart on the
    same database, and every queued message arrives exactly once, in order, with the
    transactionId the Central System assigned (never a placeholder)."""
    cs = central_system
    db = tmp_path / "crash.sqlite3"
    args = ["--central-system", cs.url, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
            "--db", str(db), "--id", "CP-CRASH", "--ocpp", "1.6"]
    first = await Process.start(*args)
    http = None
    try:
        _, control_url = await first.urls()
        http = Http(control_url)
        await http.ok("POST", "/wait", {"boot": "Accepted", "timeout": 20})
        await cs.wait_op(Op.STATUS_NOTIFICATION, count=3, timeout=20)
        await http.ok("PUT", "/config/MeterValueSampleInterval", {"value": "1"})
        await http.ok("PUT", "/config/AllowOfflineTxForUnknownId", {"value": "true"})
        await http.ok("POST", "/offline")
        offline_mark = cs.mark()
        # a complete transaction on connector 1 ...
        await http.ok("POST", "/connectors/1/plug")
        assert (await http.ok("POST", "/present", {"id_tag": "CRASH-1", "connector": 1})
                )["result"] == "started"
        await http.ok("POST", "/wait", {"queue_at_least": 3, "timeout": 10})  # Start + 2 MV
        assert (await http.ok("POST", "/present", {"id_tag": "CRASH-1", "connector": 1})
                )["result"] == "stopped"
        # ... and one still running on connector 2 when the process dies
        await http.ok("POST", "/connectors/2/plug")
        await http.ok("POST", "/present", {"id_tag": "CRASH-2", "connector": 2})
        await http.ok("POST", "/wait", {"connector": 2, "transaction": True, "timeout": 5})
        await http.close()
        http = None
        first.proc.send_signal(signal.SIGKILL)
        assert await first.wait() == -signal.SIGKILL
    finally:
        if http is not None:
            await http.close()
        await first.kill()
    assert cs.since(offline_mark, *TX_MESSAGES) == []  # nothing left while offline

    # what the dead process had committed, read from its database
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT op, payload, tx_local FROM cp_queue ORDER BY seq").fetchall()
    queued = [(op, json.loads(payload), tx_local) for op, payload, tx_local in rows]
    ops = [op for op, _, _ in queued]
    assert ops[0] == "StartTransaction" and ops.count("StartTransaction") == 2
    assert ops.count("StopTransaction") == 1 and ops.count("MeterValues") >= 2
    assert all("transactionId" not in payload for _, payload, _ in queued)

    mark = cs.mark()
    assigned_before = len(cs.assigned)
    second = await Process.start(*args)
    try:
        _, control_url = await second.urls()
        http = Http(control_url)
        try:
            await http.ok("POST", "/wait", {"boot": "Accepted", "queue_length": 0,
                                            "timeout": 30})
        finally:
            await http.close()
        delivered = cs.since(mark, *TX_MESSAGES)
        # every queued message once, in order, then the PowerLoss stop of the running one
        assert [r.op.value for r in delivered] == ops + ["StopTransaction"]
        transaction_ids = iter(cs.assigned[assigned_before:])
        ids: dict[int, int] = {}
        for r, (op, payload, tx_local) in zip(delivered, queued, strict=False):
            message = r.message
            if op == "StartTransaction":
                ids[tx_local] = next(transaction_ids)
                assert message.id_tag == payload["idTag"]
                assert message.meter_start == payload["meterStart"]
            else:
                assert message.transaction_id == ids[tx_local] > 0
                if op == "MeterValues":
                    first_value = payload["meterValue"][0]["sampledValue"][0]["value"]
                    assert message.meter_value[0].sampled_value[0].value == first_value
        assert len(ids) == 2
        final = delivered[-1].message
        assert final.reason.value == "PowerLoss" and final.transaction_id == ids[max(ids)]
        first_stop = next(r.message for r in delivered if r.op is Op.STOP_TRANSACTION)
        assert first_stop.reason.value == "Local" and first_stop.id_tag == "CRASH-1"
        second.proc.send_signal(signal.SIGTERM)
        assert await second.wait() == 0
    finally:
        await second.kill()
