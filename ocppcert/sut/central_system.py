"""Drivers for a Central System under test: making it do what a case needs.

Many Central-System cases need the SUT to send a command to the harness's charge point
(RemoteStartTransaction, Reset, SendLocalList, ...) or to know an idTag. A driver does
that: the bundled reference through its Python API, an operator prompted at the terminal,
or a vendor adapter (``--sut-adapter module:factory``). Whatever a driver cannot do raises
CannotDrive, and the case is SKIPPED with the reason.

Commands are *triggered*: the driver starts them and returns at once, and the case then
expects the command on its charge point (``await cp.expect(Op.RESET, timeout=30)``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ocppcert.messages import Op
from ocppcert.sut.operator import Operator
from ocppcert.verdicts import CannotDrive, HarnessError

log = logging.getLogger(__name__)


class CentralSystemSut:
    """The Central System under test. ``url``: its CentralSystemService endpoint (known
    after :meth:`prepare`)."""

    url: str | None = None
    name = "Central System"

    async def prepare(self, version: str) -> None:
        """Before a case: the SUT runs and can be reached at ``url``."""

    async def release(self) -> None:
        """After a case."""

    def _cannot(self, action: str) -> CannotDrive:
        return CannotDrive(f"{self.name}: nobody here can {action}")

    async def add_id_tag(self, id_tag: str, status: str = "Accepted", *,
                         parent_id_tag: str | None = None,
                         expiry_date: dt.datetime | None = None) -> None:
        """The Central System knows ``id_tag`` with this status."""
        raise self._cannot(f"register idTag {id_tag} as {status}")

    async def trigger(self, identity: str, op: Op, **fields: Any) -> None:
        """Make the Central System send ``op`` (OCPP-J ``fields``) to charge point
        ``identity``; returns once it is under way."""
        raise self._cannot(f"make the Central System send {op.value} to {identity}")

    async def send_local_list(self, identity: str, update_type: str,
                              entries: Iterable[Mapping[str, Any]]) -> None:
        """Make the Central System change ``identity``'s local list and send it."""
        raise self._cannot(f"make the Central System send a {update_type} local list")


class ReferenceCentralSystemSut(CentralSystemSut):
    """The bundled reference Central System, in process, fresh (new SQLite file) per case.
    ``central_system_class`` lets the self-test put a mutant in its place."""

    name = "reference Central System"

    def __init__(self, *, central_system_class: type | None = None,
                 **options: Any) -> None:
        from ocppcert.reference.central_system import ReferenceCentralSystem

        self.central_system_class = central_system_class or ReferenceCentralSystem
        self.options = options
        self.central_system: Any = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    async def prepare(self, version: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ocppcert-sut-")
        options = {"db_path": Path(self._tmp.name) / "central-system.sqlite3", **self.options}
        self.central_system = self.central_system_class(**options)
        self.url = await self.central_system.start()

    async def release(self) -> None:
        for task in list(self._tasks):
            if not task.done():
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        if self.central_system is not None:
            await self.central_system.stop()
            self.central_system = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def _live(self) -> Any:
        assert self.central_system is not None, "prepare() first"
        return self.central_system

    async def add_id_tag(self, id_tag: str, status: str = "Accepted", *,
                         parent_id_tag: str | None = None,
                         expiry_date: dt.datetime | None = None) -> None:
        self._live.store.put_id_tag(id_tag, status, expiry_date, parent_id_tag)

    def _background(self, what: str, coroutine: Any) -> None:
        async def guarded() -> None:
            try:
                await coroutine
            except Exception as exc:  # the case judges what reached its charge point
                log.info("%s ended with %s", what, exc)

        task = asyncio.ensure_future(guarded())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def trigger(self, identity: str, op: Op, **fields: Any) -> None:
        from ocppcert.reference.central_system.server import CommandError

        try:
            request = self._live.build_request(identity, op, fields)
        except CommandError as exc:
            raise HarnessError(f"the reference Central System cannot send {op.value}: "
                               f"{exc}") from None
        self._background(f"{op.value} to {identity}", self._live.command(identity, request))

    async def send_local_list(self, identity: str, update_type: str,
                              entries: Iterable[Mapping[str, Any]]) -> None:
        self._background(f"SendLocalList to {identity}",
                         self._live.send_local_list(identity, update_type, list(entries)))


class ManualCentralSystemSut(CentralSystemSut):
    """A Central System somewhere else (``--sut-url``); its operator is asked to act."""

    name = "operator"

    def __init__(self, url: str, *, operator: Operator | None = None) -> None:
        self.url = url
        self.operator = operator or Operator()

    async def add_id_tag(self, id_tag: str, status: str = "Accepted", *,
                         parent_id_tag: str | None = None,
                         expiry_date: dt.datetime | None = None) -> None:
        extra = "".join([f", parent idTag {parent_id_tag}" if parent_id_tag else "",
                         f", expiring {expiry_date.isoformat()}" if expiry_date else ""])
        await self.operator.ask(f"register idTag {id_tag} as {status}{extra} in the Central "
                                "System")

    async def trigger(self, identity: str, op: Op, **fields: Any) -> None:
        shown = json.dumps(fields, default=str) if fields else "no fields"
        await self.operator.ask(f"make the Central System send {op.value} ({shown}) to charge "
                                f"point {identity}")

    async def send_local_list(self, identity: str, update_type: str,
                              entries: Iterable[Mapping[str, Any]]) -> None:
        listed = ", ".join(str(e.get("idTag")) for e in entries) or "no entries"
        await self.operator.ask(f"make the Central System send a {update_type} local list "
                                f"({listed}) to charge point {identity}")
