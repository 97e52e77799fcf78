"""A vendor-style adapter: drives a charge point running in ANOTHER process through an
HTTP control API — here the reference charge point's (docs/control-charge-point.md), as
a station vendor would drive a test bench. Loaded with

    pytest suites/charge_point --sut-url URL --sut-id ID \
        --sut-adapter tests.adapters.control_api:make

``OCPPCERT_CONTROL_URL`` names the control API.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aiohttp

from ocppcert.sut import ChargePointSut
from ocppcert.verdicts import HarnessError

READY_TIMEOUT = 30.0


class ControlApiChargePoint(ChargePointSut):
    name = "bench control API"

    def __init__(self, identity: str, control_url: str) -> None:
        self.identity = identity
        self.control_url = control_url.rstrip("/")

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(self.control_url + path, json=body or {}) as response:
                answer = await response.json()
                if response.status >= 400:
                    raise HarnessError(f"control API {path}: {answer.get('error')}")
                return answer

    async def _state(self) -> dict[str, Any]:
        timeout = aiohttp.ClientTimeout(total=15)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(self.control_url + "/state") as response:
                return await response.json()

    async def prepare(self, central_system_url: str, version: str) -> None:
        # The bench has no push channel: its state is polled until the general
        # precondition holds (booted, Accepted), within READY_TIMEOUT.
        deadline = asyncio.get_running_loop().time() + READY_TIMEOUT
        while (await self._state())["boot"] != "Accepted":
            if asyncio.get_running_loop().time() > deadline:
                raise HarnessError(f"the bench station was not Accepted within "
                                   f"{READY_TIMEOUT:g} s")
            await asyncio.sleep(0.2)  # bounded-poll

    async def present_id_tag(self, id_tag: str, connector: int | None = None) -> None:
        body: dict[str, Any] = {"id_tag": id_tag}
        if connector is not None:
            body["connector"] = connector
        await self._post("/present", body)

    async def plug_in(self, connector: int) -> None:
        await self._post(f"/connectors/{connector}/plug")

    async def unplug(self, connector: int) -> None:
        await self._post(f"/connectors/{connector}/unplug")


def make(identity: str) -> ControlApiChargePoint:
    return ControlApiChargePoint(identity, os.environ["OCPPCERT_CONTROL_URL"])
