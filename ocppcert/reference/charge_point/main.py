"""``ocppcert serve charge-point``: run the reference charge point until SIGINT/SIGTERM.

Prints ``SOAP endpoint: URL`` and ``control API: URL``, then one line per message sent or
received, and boots against ``--central-system``. Exit 0 on a signal; 2 (one line on
stderr) when an address cannot be bound or the database cannot be opened.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
from argparse import Namespace
from pathlib import Path

from ocppcert.reference.charge_point.control import ChargePointControl
from ocppcert.reference.charge_point.station import ChargePointTraits, ReferenceChargePoint
from ocppcert.reference.db import connect, temporary_path
from ocppcert.transport.recorder import WireRecorder, log_line
from ocppcert.versions import OcppVersion

EXIT_OK, EXIT_USAGE = 0, 2
PREFIX = "ocppcert serve charge-point"


def serve(args: Namespace) -> int:
    from ocppcert.cli import UsageError, parse_host_port

    version = OcppVersion(args.ocpp or "1.6")
    host, port = parse_host_port(args.listen, "--listen")
    control_host, control_port = parse_host_port(args.control, "--control")
    connectors = int(getattr(args, "connectors", 2))
    if connectors < 1:
        raise UsageError(f"--connectors must be at least 1, got {connectors}")
    identity = getattr(args, "id", None) or "CP-0001"
    db_path = Path(args.db) if args.db else temporary_path("charge-point")
    try:
        db = connect(db_path)
    except sqlite3.Error as exc:
        raise UsageError(f"cannot open the database {db_path}: {exc}") from None
    try:
        return asyncio.run(_run(args, version, identity, connectors, db,
                                (host, port), (control_host, control_port)))
    finally:
        db.close()


async def _run(args: Namespace, version: OcppVersion, identity: str, connectors: int,
               db: sqlite3.Connection, listen: tuple[str, int],
               control_at: tuple[str, int]) -> int:
    recorder = WireRecorder(capacity=10_000)
    recorder.listeners.append(lambda record: print(log_line(record), flush=True))
    station = ReferenceChargePoint(
        central_system_url=args.central_system, identity=identity, version=version, db=db,
        traits=ChargePointTraits(connectors=connectors), host=listen[0], port=listen[1],
        advertise=args.advertise, recorder=recorder,
    )
    control = ChargePointControl(station, host=control_at[0], port=control_at[1])
    try:
        try:
            await station.start(power=False)
        except OSError as exc:
            _fail(f"cannot listen on {listen[0]}:{listen[1]}: {exc.strerror or exc}")
            return EXIT_USAGE
        try:
            await control.start()
        except OSError as exc:
            _fail(f"cannot listen on {control_at[0]}:{control_at[1]} (control API): "
                  f"{exc.strerror or exc}")
            return EXIT_USAGE
        print(f"SOAP endpoint: {station.url}", flush=True)
        print(f"control API: {control.url}", flush=True)
        print(f"charge point {identity}, OCPP {version.value}, {connectors} connector(s), "
              f"Central System {args.central_system}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        station.power_up()
        await stop.wait()
        return EXIT_OK
    finally:
        await control.stop()
        await station.stop()


def _fail(message: str) -> None:
    print(f"{PREFIX}: {message}", file=sys.stderr, flush=True)


__all__ = ["serve"]
