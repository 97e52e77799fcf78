"""Reference Central System under load: throughput and p50/p99 latency.

The Central System runs as its own process (``ocppcert serve central-system`` with a
fresh SQLite file); this process is the load generator. Each simulated charge point
does, one request after the other:

    BootNotification, Heartbeat, StartTransaction, StopTransaction

and all of them run at once (100, then 1,000). Every reply is checked: HTTP 200 and
the matching response element; anything else counts as an error. Latency is measured
per request from just before the POST to the end of reading the reply.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ocppcert.messages import Kind, Op, message_class
from ocppcert.soap import Headers, build_envelope
from ocppcert.transport import SoapClient, TransportError
from ocppcert.versions import OcppVersion, Service

_URL_LINE = re.compile(r"SOAP endpoint:\s*(\S+)")


@dataclass
class LoadResult:
    charge_points: int
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    first_error: str | None = None

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def as_dict(self) -> dict[str, object]:
        return {
            "charge_points": self.charge_points,
            "requests": self.requests,
            "errors": self.errors,
            "seconds": self.seconds,
            "requests_per_second": self.per_second,
            "p50_ms": self.percentile(50),
            "p99_ms": self.percentile(99),
            "mean_ms": statistics.fmean(self.latencies_ms) if self.latencies_ms else None,
            "first_error": self.first_error,
        }


class CentralSystemProcess:
    """``ocppcert serve central-system`` in a subprocess, on a free port, fresh database."""

    def __init__(self, ocpp: str | None = None) -> None:
        self.ocpp = ocpp
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self._tmp = tempfile.TemporaryDirectory(prefix="ocppcert-bench-cs-")

    def __enter__(self) -> CentralSystemProcess:
        ocppcert = str(Path(sys.executable).with_name("ocppcert"))
        argv = [ocppcert, "serve", "central-system", "--listen", "127.0.0.1:0",
                "--control", "127.0.0.1:0", "--db", str(Path(self._tmp.name) / "cs.sqlite3")]
        if self.ocpp:
            argv += ["--ocpp", self.ocpp]
        self.process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, bufsize=1)
        deadline = time.monotonic() + 30
        assert self.process.stdout is not None
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise RuntimeError("the Central System exited before printing its URL")
            if match := _URL_LINE.search(line):
                self.url = match.group(1)
                break
        else:
            raise RuntimeError("no URL from the Central System within 30 s")
        # Keep draining its per-message log so the pipe never fills and blocks it.
        import threading

        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for _ in self.process.stdout:
            pass

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._tmp.cleanup()


def _requests_of(version: OcppVersion, identity: str, now: dt.datetime, transaction_id: int | None):
    def request(op: Op, **fields: object):
        return message_class(version, Service.CENTRAL_SYSTEM, op, Kind.REQUEST)(**fields)

    if transaction_id is None:
        return [
            request(Op.BOOT_NOTIFICATION, charge_point_vendor="Bench", charge_point_model="Load"),
            request(Op.HEARTBEAT),
            request(Op.START_TRANSACTION, connector_id=1, id_tag="BENCH", meter_start=0,
                    timestamp=now),
        ]
    return [request(Op.STOP_TRANSACTION, transaction_id=transaction_id, meter_stop=1000,
                    timestamp=now)]


async def _one_charge_point(index: int, url: str, version: OcppVersion, client: SoapClient,
                            result: LoadResult, start: asyncio.Event, timeout: float) -> None:
    identity = f"BENCH-{index:05d}"
    from_address = f"http://127.0.0.1:9/{identity}"
    await start.wait()
    transaction_id: int | None = None
    for phase in (0, 1):
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        for request in _requests_of(version, identity, now, transaction_id if phase else None):
            headers = Headers.request(request.action, charge_box_identity=identity, to=url,
                                      from_address=from_address)
            data = build_envelope(headers, request)
            expected = f"{request.ELEMENT[:-len('Request')]}Response".encode()
            began = time.perf_counter()
            try:
                reply = await client.post(url, data, action=request.action, timeout=timeout)
            except TransportError as exc:
                result.errors += 1
                result.first_error = result.first_error or str(exc)
                return
            result.latencies_ms.append((time.perf_counter() - began) * 1000)
            result.requests += 1
            if reply.status != 200 or expected not in reply.body:
                result.errors += 1
                result.first_error = result.first_error or (
                    f"HTTP {reply.status} for {request.OP.value}: {reply.body[:200]!r}")
                return
            if request.OP is Op.START_TRANSACTION:
                found = re.search(rb"transactionId>(-?\d+)<", reply.body)
                if found is None:
                    result.errors += 1
                    return
                transaction_id = int(found.group(1))


async def load(url: str, charge_points: int, version: OcppVersion = OcppVersion.V16,
               timeout: float = 60.0) -> LoadResult:
    result = LoadResult(charge_points)
    client = SoapClient(limit=charge_points)
    start = asyncio.Event()
    tasks = [asyncio.create_task(_one_charge_point(i, url, version, client, result, start, timeout))
             for i in range(charge_points)]
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - began
    await client.close()
    return result


def run(sizes: tuple[int, ...] = (100, 1000), version: str = "1.6") -> list[LoadResult]:
    results = []
    with CentralSystemProcess() as cs:
        # One warm-up charge point, so the first measured request pays no import or page-in.
        asyncio.run(load(cs.url, 1, OcppVersion(version)))
        for size in sizes:
            results.append(asyncio.run(load(cs.url, size, OcppVersion(version))))
    return results


if __name__ == "__main__":
    for r in run(tuple(int(a) for a in sys.argv[1:]) or (100, 1000)):
        print(r.as_dict())
    print(f"cpus: {os.cpu_count()}")
