"""Mutants of the reference charge point: UpdateFirmware and GetDiagnostics."""

from __future__ import annotations

from typing import Any

from ocppcert.reference.charge_point.station import V16, ReferenceChargePoint
from ocppcert.reference.charge_point.transfer import TransferError, download
from ocppcert.reference.db import atomic
from tests.mutants.charge_point import ids


class ClaimsInstalledWithoutRebooting(ReferenceChargePoint):
    """Reports Installed after installing but never reboots into the new firmware."""

    KILLS = ids("044_1")

    async def reboot(self, reason: str | None = "Reboot") -> None:
        if reason == "Reboot" and self.store.get_state("firmware_installed_pending"):
            with atomic(self.db):
                self.store.set_state("firmware_installed_pending", None)
                self.store.set_state("firmware_version", None)
            self.firmware_status = "Idle"
            await self._firmware_status("Installed")
            return
        await super().reboot(reason)


class NoFirmwareProgressNotifications(ReferenceChargePoint):
    """Reports only the outcomes of a 1.6 firmware update, as 1.5 did (no Downloading,
    no Installing)."""

    KILLS = ids("044_1", ("1.6",)) + ids("044_2", ("1.6",)) + ids("044_3", ("1.6",))

    async def _firmware_status(self, status: str, *, triggered: bool = False) -> None:
        if status in ("Downloading", "Installing") and not triggered:
            return
        await super()._firmware_status(status, triggered=triggered)


class SilentDownloadFailure(ReferenceChargePoint):
    """Gives up a failed firmware download without reporting DownloadFailed."""

    KILLS = ids("044_2")

    async def _firmware_status(self, status: str, *, triggered: bool = False) -> None:
        if status == "DownloadFailed" and not triggered:
            return
        await super()._firmware_status(status, triggered=triggered)


class InstallsAnyDownload(ReferenceChargePoint):
    """Installs whatever file it downloaded without checking it is firmware for it."""

    KILLS = ids("044_3")

    async def _firmware(self, request: Any) -> None:
        await self.clock.sleep_until(request.retrieve_date)
        if self.version is V16:
            await self._firmware_status("Downloading")
        try:
            image = await download(request.location)
        except TransferError:
            await self._firmware_status("DownloadFailed")
            return
        await self._firmware_status("Downloaded")
        if self.version is V16:
            await self._firmware_status("Installing")
        version = image.split(b"\n", 1)[0][:40].decode("utf-8", "replace").strip() or "unknown"
        with atomic(self.db):
            self.store.set_state("firmware_version", version)
            self.store.set_state("firmware_installed_pending", "1")
        self._spawn(self.reboot("Reboot"), powered=False)


class ClaimsUploadWithoutUploading(ReferenceChargePoint):
    """Reports its diagnostics Uploaded without sending the file anywhere."""

    KILLS = ids("045_1")

    async def _diagnostics(self, request: Any, file_name: str) -> None:
        if self.version is V16:
            await self._diagnostics_status("Uploading")
        await self._diagnostics_status("Uploaded")


class IgnoresUploadRefusal(ReferenceChargePoint):
    """Reports Uploaded once an upload attempt ends, whether or not the server took it."""

    KILLS = ids("045_2")

    async def _diagnostics_status(self, status: str, *, triggered: bool = False) -> None:
        await super()._diagnostics_status("Uploaded" if status == "UploadFailed" else status,
                                          triggered=triggered)
