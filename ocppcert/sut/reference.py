"""The bundled reference charge point as the SUT, in process: a fresh station per case.

Protocol timers run at their real scale, so that timing requirements are judged as they
would be on a real station; cases keep them short through configuration keys.
"""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path
from typing import Any

from ocppcert.pics import Pics
from ocppcert.reference.charge_point.station import (
    BootState,
    ChargePointTraits,
    ReferenceChargePoint,
)
from ocppcert.reference.charge_point.transfer import FIRMWARE_MAGIC
from ocppcert.reference.db import connect
from ocppcert.sut.base import ChargePointSut, FirmwareImage
from ocppcert.verdicts import HarnessError

BOOT_TIMEOUT = 30.0


def traits_for(pics: Pics, base: ChargePointTraits | None = None) -> ChargePointTraits:
    """Reference station traits that make it the station ``pics`` describes."""
    base = base or ChargePointTraits(reconnect_interval=0.2)
    profiles = tuple(p for p in base.feature_profiles if p in pics.profiles)
    return dataclasses.replace(
        base, connectors=pics.connectors, fixed_cable=pics.fixed_cable,
        feature_profiles=profiles or ("Core",),
        authorization_cache="authorization_cache" in pics.features,
        unknown_offline_authorization="unknown_offline_authorization" in pics.features,
        reserve_connector_zero="reserve_connector_zero" in pics.features,
        backup_power="backup_power" in pics.features)


class ReferenceChargePointSut(ChargePointSut):
    """``station_class`` lets the self-test put a mutant of the reference in its place.
    ``pics`` (without explicit ``traits``) builds the station to that description."""

    name = "reference charge point"

    def __init__(self, identity: str = "CP-REF", *,
                 station_class: type[ReferenceChargePoint] = ReferenceChargePoint,
                 traits: ChargePointTraits | None = None, pics: Pics | None = None,
                 **station_options: Any) -> None:
        self.identity = identity
        self.station_class = station_class
        self.traits = traits or traits_for(pics or Pics())
        self.station_options = station_options
        self.station: ReferenceChargePoint | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    async def prepare(self, central_system_url: str, version: str) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="ocppcert-sut-")
        db = connect(Path(self._tmp.name) / "station.sqlite3")
        self.station = self.station_class(
            central_system_url=central_system_url, identity=self.identity, version=version,
            db=db, traits=self.traits, **self.station_options)
        self.url = await self.station.start()
        station = self.station
        try:
            await station.wait_until(lambda: station.boot_state is BootState.ACCEPTED,
                                     timeout=BOOT_TIMEOUT)
        except TimeoutError:
            raise HarnessError(f"the reference charge point was not booted and Accepted within "
                               f"{BOOT_TIMEOUT:g} s (general precondition)") from None

    async def release(self) -> None:
        if self.station is not None:
            await self.station.stop()
            self.station.db.close()
            self.station = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    @property
    def _live(self) -> ReferenceChargePoint:
        assert self.station is not None, "prepare() first"
        return self.station

    async def power_cycle(self) -> None:
        await self._live.power_cut()
        self._live.power_up()

    async def present_id_tag(self, id_tag: str, connector: int | None = None) -> None:
        await self._live.present_id_tag(id_tag, connector)

    async def plug_in(self, connector: int) -> None:
        self._live.plug_in(connector)

    async def unplug(self, connector: int) -> None:
        self._live.unplug(connector)

    async def ev_disconnect(self, connector: int) -> None:
        self._live.ev_disconnect(connector)

    async def fault(self, connector: int, error_code: str = "OtherError") -> None:
        self._live.set_fault(connector, error_code)

    async def clear_fault(self, connector: int) -> None:
        self._live.set_fault(connector, None)

    async def local_stop(self, connector: int) -> None:
        self._live.local_stop(connector)

    async def power_cut(self) -> None:
        await self._live.power_cut()

    async def power_restore(self) -> None:
        self._live.power_up()

    async def lock_failure(self, connector: int, failing: bool = True) -> None:
        self._live.set_lock_failure(connector, failing)

    async def local_list_failure(self, failing: bool = True) -> None:
        self._live.set_list_storage_failure(failing)

    async def firmware_image(self, valid: bool = True) -> FirmwareImage:
        # the reference installs a text file headed "OCPPCERT-FIRMWARE <version>" and
        # refuses anything else (see reference/charge_point/transfer.py)
        if not valid:
            return FirmwareImage(b"\x7fELF this is not an ocppcert firmware image\n",
                                 None, "invalid-firmware.bin")
        version = "9.9.9-ocppcert"
        if self._live.firmware == version:
            version = "9.9.10-ocppcert"
        data = FIRMWARE_MAGIC + version.encode() + b"\nbuilt by the ocppcert harness\n"
        return FirmwareImage(data, version, f"firmware-{version}.bin")
