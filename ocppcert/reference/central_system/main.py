"""``ocppcert serve central-system``: run the reference Central System until stopped.

Prints the SOAP endpoint's URL and the control API's URL (one line each), then one log
line per message; SIGINT or SIGTERM shuts it down cleanly with exit status 0. A port
that cannot be bound is a usage/environment error: one line on stderr, exit status 2.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
import sys
from typing import Any

from ocppcert.cli import EXIT_USAGE, UsageError, parse_host_port
from ocppcert.reference.central_system.control import CentralSystemControl
from ocppcert.reference.central_system.server import ReferenceCentralSystem
from ocppcert.reference.db import temporary_path
from ocppcert.transport.recorder import WireRecord, log_line


def serve(args: argparse.Namespace) -> int:
    """Run until SIGINT/SIGTERM (exit 0); a usage or environment error prints one line on
    stderr and returns 2. The error is reported here rather than raised, because under
    ``python -m ocppcert.cli`` the CLI's own UsageError class is ``__main__``'s."""
    try:
        listen_host, listen_port = parse_host_port(args.listen, "--listen")
        control_host, control_port = parse_host_port(args.control, "--control")
        versions = [args.ocpp] if getattr(args, "ocpp", None) else None
        db = args.db or temporary_path("central-system")
        return asyncio.run(_run(
            host=listen_host, port=listen_port, control_host=control_host,
            control_port=control_port, versions=versions, db=db,
            advertise=getattr(args, "advertise", None),
        ))
    except UsageError as exc:
        print(f"ocppcert serve: {exc}", file=sys.stderr, flush=True)
        return EXIT_USAGE


async def _run(*, host: str, port: int, control_host: str, control_port: int,
               versions: Any, db: Any, advertise: str | None) -> int:
    try:
        cs = ReferenceCentralSystem(db_path=db, versions=versions, host=host, port=port,
                                    advertise=advertise)
    except (OSError, sqlite3.Error) as exc:  # e.g. an unwritable --db
        raise UsageError(f"cannot open the database {db}: {exc}") from None
    control = CentralSystemControl(cs, host=control_host, port=control_port)

    def log(record: WireRecord) -> None:
        print(log_line(record), flush=True)

    try:
        await cs.start()
    except OSError as exc:
        await cs.stop()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        await control.start()
    except OSError as exc:
        await cs.stop()
        raise UsageError(f"cannot listen on {control_host}:{control_port} (--control): "
                         f"{exc.strerror or exc}") from None
    print(f"SOAP endpoint: {cs.url}", flush=True)
    print(f"control API: {control.url}", flush=True)
    print(f"database: {cs.db_path}", flush=True)
    cs.recorder.listeners.append(log)

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await stopping.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await control.stop()
        await cs.stop()
    print("stopped", flush=True)
    return 0


__all__ = ["serve"]
