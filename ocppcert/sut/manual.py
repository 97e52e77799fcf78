"""An operator does what the case needs, prompted on the terminal, with a bounded wait."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from ocppcert.sut.base import ChargePointSut, FirmwareImage
from ocppcert.verdicts import CannotDrive


class ManualChargePointSut(ChargePointSut):
    name = "operator"

    def __init__(self, identity: str, *, url: str | None = None, wait: float = 120.0,
                 stream_in: TextIO | None = None, stream_out: TextIO | None = None) -> None:
        self.identity = identity
        self.url = url
        self.wait = wait
        self._in = stream_in or sys.stdin
        self._out = stream_out or sys.stderr

    async def _ask(self, instruction: str) -> None:
        if not self._in.isatty():
            raise CannotDrive(f"needs an operator to {instruction}, and the run is not "
                              "interactive")
        self._out.write(f"\n>>> {instruction}, then press Enter "
                        f"(within {self.wait:g} s) ... ")
        self._out.flush()
        try:
            answer = await asyncio.wait_for(asyncio.to_thread(self._in.readline), self.wait)
        except TimeoutError:
            raise CannotDrive(f"the operator did not confirm '{instruction}' within "
                              f"{self.wait:g} s") from None
        if answer.strip().lower() in ("s", "skip", "n", "no"):
            raise CannotDrive(f"the operator could not {instruction}")

    async def power_cycle(self) -> None:
        await self._ask(f"power-cycle charge point {self.identity}")

    async def present_id_tag(self, id_tag: str, connector: int | None = None) -> None:
        where = f" at connector {connector}" if connector else ""
        await self._ask(f"present idTag {id_tag}{where}")

    async def plug_in(self, connector: int) -> None:
        await self._ask(f"plug a cable into connector {connector}")

    async def unplug(self, connector: int) -> None:
        await self._ask(f"unplug the cable of connector {connector}")

    async def ev_disconnect(self, connector: int) -> None:
        await self._ask(f"disconnect the cable at the EV side of connector {connector}")

    async def local_stop(self, connector: int) -> None:
        await self._ask(f"stop the transaction on connector {connector} at the station")

    async def fault(self, connector: int, error_code: str = "OtherError") -> None:
        await self._ask(f"make connector {connector} report a fault ({error_code})")

    async def clear_fault(self, connector: int) -> None:
        await self._ask(f"clear the fault of connector {connector}")

    async def power_cut(self) -> None:
        await self._ask(f"cut the power of charge point {self.identity}")

    async def power_restore(self) -> None:
        await self._ask(f"restore the power of charge point {self.identity}")

    async def lock_failure(self, connector: int, failing: bool = True) -> None:
        state = "fail" if failing else "work again"
        await self._ask(f"make the cable lock of connector {connector} {state}")

    async def local_list_failure(self, failing: bool = True) -> None:
        state = ("fail (e.g. fill the memory that holds it)" if failing
                 else "work again")
        await self._ask(f"make the storage of the local authorisation list of {self.identity} "
                        f"{state}")

    async def firmware_image(self, valid: bool = True) -> FirmwareImage:
        kind = "a firmware file it installs" if valid else "a firmware file it must refuse"
        path = await self._answer(f"type the path of {kind} for charge point {self.identity}")
        try:
            data = await asyncio.to_thread(Path(path).expanduser().read_bytes)
        except OSError as exc:
            raise CannotDrive(f"cannot read the firmware file {path!r}: {exc}") from None
        return FirmwareImage(data, None, Path(path).name or "firmware.bin")

    async def _answer(self, question: str) -> str:
        """A line the operator types (bounded wait); empty or "skip" skips the case."""
        if not self._in.isatty():
            raise CannotDrive(f"needs an operator to {question}, and the run is not "
                              "interactive")
        self._out.write(f"\n>>> {question} (within {self.wait:g} s): ")
        self._out.flush()
        try:
            answer = await asyncio.wait_for(asyncio.to_thread(self._in.readline), self.wait)
        except TimeoutError:
            raise CannotDrive(f"the operator did not answer '{question}' within "
                              f"{self.wait:g} s") from None
        answer = answer.strip()
        if not answer or answer.lower() in ("s", "skip"):
            raise CannotDrive(f"the operator could not {question}")
        return answer
