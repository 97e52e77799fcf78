"""The driver interface for a charge point under test.

Every action has a default that raises CannotDrive: a driver implements what its SUT can
do, and a case that needs anything else is SKIPPED with the reason, never hung.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ocppcert.verdicts import CannotDrive


@dataclass(frozen=True)
class FirmwareImage:
    """A firmware file for UpdateFirmware cases: ``data`` is served to the charge point;
    ``version`` is the firmwareVersion it reports once installed (None: not known, not
    checked). ``name`` is the file name it is served under."""

    data: bytes
    version: str | None = None
    name: str = "firmware.bin"


class ChargePointSut:
    """The physical side of a charge point under test.

    ``identity``: its chargeBoxIdentity. ``url``: where it serves its ChargePointService
    if known beforehand (else the harness learns it from wsa:From).
    """

    identity: str = "CP-SUT"
    url: str | None = None
    name = "charge point"

    async def prepare(self, central_system_url: str, version: str) -> None:
        """Before a case: the SUT runs, points at ``central_system_url`` and is idle (OCTT
        general preconditions: booted, Accepted, connectors Available, no transaction)."""

    async def release(self) -> None:
        """After a case."""

    def _cannot(self, action: str) -> CannotDrive:
        return CannotDrive(f"{self.name}: nobody here can {action}")

    async def power_cycle(self) -> None:
        raise self._cannot("power-cycle the charge point")

    async def present_id_tag(self, id_tag: str, connector: int | None = None) -> None:
        raise self._cannot(f"present idTag {id_tag}")

    async def plug_in(self, connector: int) -> None:
        raise self._cannot(f"plug a cable into connector {connector}")

    async def unplug(self, connector: int) -> None:
        raise self._cannot(f"unplug connector {connector}")

    async def ev_disconnect(self, connector: int) -> None:
        raise self._cannot(f"disconnect the EV side of connector {connector}")

    async def fault(self, connector: int, error_code: str = "OtherError") -> None:
        raise self._cannot(f"make connector {connector} faulted")

    async def clear_fault(self, connector: int) -> None:
        raise self._cannot(f"clear the fault of connector {connector}")

    async def local_stop(self, connector: int) -> None:
        raise self._cannot(f"stop the transaction on connector {connector} at the station")

    async def power_cut(self) -> None:
        raise self._cannot("cut the power")

    async def power_restore(self) -> None:
        raise self._cannot("restore the power")

    async def lock_failure(self, connector: int, failing: bool = True) -> None:
        raise self._cannot(f"make the lock of connector {connector} fail")

    async def local_list_failure(self, failing: bool = True) -> None:
        """Make the storage of the local authorisation list fail (e.g. a full memory), so
        that SendLocalList cannot be applied (OCTT TC_043_3), or work again."""
        raise self._cannot("make the storage of the local authorisation list "
                           + ("fail" if failing else "work again"))

    async def firmware_image(self, valid: bool = True) -> FirmwareImage:
        """A firmware file this charge point installs (``valid``), or one it must refuse
        to install (OCTT TC_044_3: "invalid firmware")."""
        kind = "an installable" if valid else "an invalid"
        raise self._cannot(f"provide {kind} firmware image")


def load_adapter(spec: str, *, expected: type | None = None, **options: Any) -> Any:
    """``module:factory`` → the driver the factory returns (the vendor hook), which must
    be an ``expected`` (default ChargePointSut)."""
    expected = expected or ChargePointSut
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"--sut-adapter wants module:factory, got {spec!r}")
    factory = getattr(importlib.import_module(module_name), attribute)
    driver = factory(**options)
    if not isinstance(driver, expected):
        raise TypeError(f"{spec} returned {type(driver).__name__}, not a {expected.__name__}")
    return driver
