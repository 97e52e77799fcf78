"""UpdateFirmware: download, install, and the FirmwareStatusNotifications on the way.

The firmware is served by the harness's own HTTP file server (ocppcert.roles.file_server);
the driver supplies the file (``charge_point.firmware_image``). OCPP 1.6 reports
Downloading, Downloaded, Installing and then Installed / DownloadFailed /
InstallationFailed; 1.5 and 1.2 know only the four outcomes (Downloaded, DownloadFailed,
Installed, InstallationFailed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.central_system import Received
from ocppcert.roles.file_server import FileServer, TransferKind
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .file_transfer import NEEDS_HTTP, require_http

V16 = OcppVersion.V16
ARRIVAL = 30  # s: how long a notification the SUT must send may take
QUIET = 2  # s: watched after a failure, for messages that must not follow it

SPEC = {"1.6": "OCPP 1.6 §5.19, §4.5, §8.1", "1.5": "OCPP 1.5 §5.15, §4.5",
        "1.2": "OCPP 1.2 ch. 5 (Update Firmware), ch. 4 (Firmware Status Notification)"}


async def update_firmware(cs: Any, location: str) -> None:
    """UpdateFirmware for now; a single try (retries 0), so failures surface at once."""
    now = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
    await cs.command(Op.UPDATE_FIRMWARE, location=location, retrieveDate=now, retries=0,
                     retryInterval=1)


async def expect_firmware_statuses(cs: Any, expected: list[str], *,
                                   repeatable: tuple[str, ...] = ("Downloading",)
                                   ) -> list[Received]:
    """The next FirmwareStatusNotifications, which must be ``expected`` in that order
    (a ``repeatable`` one may be repeated, e.g. Downloading once per try)."""
    found: list[Received] = []
    for status in expected:
        while True:
            received = await cs.expect(Op.FIRMWARE_STATUS_NOTIFICATION, timeout=ARRIVAL,
                                       what=f"FirmwareStatusNotification {status}")
            got = received.message.status.value
            if got == status:
                break
            if found and got == found[-1].message.status.value and got in repeatable:
                continue
            sent = [r.message.status.value for r in (*found, received)]
            raise CaseFailed(f"FirmwareStatusNotification {got} where {status} was due "
                             f"(expected {', '.join(expected)}; sent {', '.join(sent)})",
                             evidence=(received.seq,))
        found.append(received)
    return found


def progress(version: OcppVersion, *outcome: str) -> list[str]:
    """The statuses of a firmware update in ``version``: 1.6 reports progress, the older
    versions only outcomes."""
    steps = {"Downloaded": ["Downloading", "Downloaded"], "DownloadFailed":
             ["Downloading", "DownloadFailed"], "Installed": ["Installing", "Installed"],
             "InstallationFailed": ["Installing", "InstallationFailed"]}
    if version is not V16:
        return list(outcome)
    return [s for o in outcome for s in steps[o]]


def fetched_before(files: FileServer, path: str, notice: Received,
                   kinds: tuple[TransferKind, ...] = (TransferKind.DOWNLOAD,)) -> None:
    """The charge point must have asked the file server for ``path`` before ``notice``."""
    tries = [t for t in files.transfers if t.kind in kinds and t.path == path
             and t.method == "GET" and t.at <= notice.at]
    if not tries:
        seen = ", ".join(f"{t.method} {t.path}" for t in files.transfers) or "nothing"
        raise CaseFailed(f"FirmwareStatusNotification {notice.message.status.value} was sent, "
                         f"but the charge point never fetched {path} from the harness's "
                         f"server (it asked for: {seen})", evidence=(notice.seq,))


@case(octt="TC_044_1_CS", title="Firmware Update - Download and Install", sut="charge-point",
      profile="FirmwareManagement", spec=SPEC, requires=NEEDS_HTTP)
async def test_firmware_download_and_install(cs, charge_point, case_version):
    """UpdateFirmware names where to fetch the firmware and from when. The charge point
    accepts it, downloads the file from that location and reports Downloaded (1.6:
    Downloading first), installs it (1.6: Installing), reboots into it - the new
    BootNotification carries the new firmwareVersion - and reports Installed."""
    await require_http(cs, case_version)
    image = await charge_point.firmware_image(valid=True)
    async with FileServer.beside(cs) as files:
        path = f"/firmware/{image.name}"
        await update_firmware(cs, files.publish(path, image.data))
        # everything up to Installed, which may come before or after the reboot
        before_install = await expect_firmware_statuses(
            cs, progress(case_version, "Downloaded", "Installed")[:-1])
        downloaded = next(r for r in before_install if r.message.status.value == "Downloaded")
        fetched_before(files, path, downloaded)
    boot = await cs.expect(Op.BOOT_NOTIFICATION, timeout=ARRIVAL * 2,
                           what="a BootNotification from the reboot into the new firmware")
    reported = boot.message.firmware_version
    if image.version is not None and reported != image.version:
        raise CaseFailed(f"after the update the charge point boots with firmwareVersion "
                         f"{reported!r}, not the installed {image.version!r}",
                         evidence=(boot.seq,))
    await expect_firmware_statuses(cs, ["Installed"])


@case(octt="TC_044_2_CS", title="Firmware Update - Download Failed", sut="charge-point",
      profile="FirmwareManagement", spec=SPEC, requires=NEEDS_HTTP)
async def test_firmware_download_failed(cs, charge_point, case_version):
    """When the firmware cannot be downloaded (the location has no such file), the
    charge point, having tried, reports DownloadFailed (1.6: after Downloading) and
    carries on: nothing is installed and it does not reboot."""
    await require_http(cs, case_version)
    async with FileServer.beside(cs) as files:
        path = "/firmware/no-such-firmware.bin"
        await update_firmware(cs, files.url_for(path))
        statuses = await expect_firmware_statuses(cs, progress(case_version, "DownloadFailed"))
        fetched_before(files, path, statuses[-1], kinds=(TransferKind.MISSING,))
    await cs.expect_none(Op.BOOT_NOTIFICATION, during=QUIET,
                         why="after DownloadFailed: there was nothing to install")
    # one sent during the quiet window above is still unconsumed, so a short look finds it
    await cs.expect_none(Op.FIRMWARE_STATUS_NOTIFICATION, during=0.1,
                         why="after DownloadFailed ended the update")


@case(octt="TC_044_3_CS", title="Firmware Update - Installation Failed", sut="charge-point",
      profile="FirmwareManagement", spec=SPEC, requires=NEEDS_HTTP)
async def test_firmware_installation_failed(cs, charge_point, case_version):
    """A downloaded file that is not valid firmware for the charge point is not
    installed: it reports Downloaded and then InstallationFailed (1.6: Downloading,
    Downloaded, Installing, InstallationFailed), and never Installed."""
    await require_http(cs, case_version)
    image = await charge_point.firmware_image(valid=False)
    async with FileServer.beside(cs) as files:
        path = f"/firmware/{image.name}"
        await update_firmware(cs, files.publish(path, image.data))
        expected = progress(case_version, "Downloaded", "InstallationFailed")
        statuses = await expect_firmware_statuses(cs, expected)
        downloaded = next(r for r in statuses if r.message.status.value == "Downloaded")
        fetched_before(files, path, downloaded)
    await cs.expect_none(Op.FIRMWARE_STATUS_NOTIFICATION, during=QUIET,
                         why="after InstallationFailed ended the update")
