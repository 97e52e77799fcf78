"""An operator does what the case needs, prompted on the terminal, with a bounded wait."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TextIO

from ocppcert.sut.base import ChargePointSut, FirmwareImage
from ocppcert.sut.operator import Operator
from ocppcert.verdicts import CannotDrive


class ManualChargePointSut(ChargePointSut):
    name = "operator"

    def __init__(self, identity: str, *, url: str | None = None, wait: float = 120.0,
                 stream_in: TextIO | None = None, stream_out: TextIO | None = None) -> None:
        self.identity = identity
        self.url = url
        self.operator = Operator(wait=wait, stream_in=stream_in, stream_out=stream_out)

    async def _ask(self, instruction: str) -> None:
        await self.operator.ask(instruction)

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
        return await self.operator.answer(question)
