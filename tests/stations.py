"""The reference charge point as another process, as a lab runs a real station: pointed at a
harness port chosen beforehand, its SOAP endpoint and control API read from what it prints."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def station_process(tmp_path: Path, *options: str) -> Iterator[tuple[int, str, str]]:
    """(harness port, the station's SOAP endpoint, its control API) while it runs;
    ``options`` go to ``ocppcert serve charge-point`` (e.g. ``"--connectors", "1"``)."""
    harness_port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "ocppcert", "serve", "charge-point", "--ocpp", "1.6",
         "--central-system", f"http://127.0.0.1:{harness_port}/", "--id", "CP-BENCH",
         *options, "--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
         "--db", str(tmp_path / "bench.sqlite3")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        urls = {}
        for line in process.stdout:  # the first lines name the two endpoints
            key, _, value = line.partition(": ")
            urls[key] = value.strip()
            if len(urls) >= 2:
                break
        yield harness_port, urls["SOAP endpoint"], urls["control API"]
    finally:
        process.terminate()
        process.wait(timeout=15)
