"""Firmware management by the Central System: UpdateFirmware and GetDiagnostics, and the
status notifications the charge point sends while it downloads, installs or uploads."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.charge_point import Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

WAIT = 15
FIRMWARE_URL = "ftp://firmware.ocppcert.test/cp/firmware-2.0.bin"
DIAGNOSTICS_URL = "ftp://diagnostics.ocppcert.test/upload/"
UPDATE_SPEC = {"1.6": "OCPP 1.6 §4.5, §5.19", "1.5": "OCPP 1.5 §4.5, §5.15",
               "1.2": "OCPP 1.2 §4 FirmwareStatusNotification, §5 UpdateFirmware"}
DIAGNOSTICS_SPEC = {"1.6": "OCPP 1.6 §4.4, §5.9", "1.5": "OCPP 1.5 §4.4, §5.7",
                    "1.2": "OCPP 1.2 §4 DiagnosticsStatusNotification, §5 GetDiagnostics"}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _iso(value: dt.datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def _same_time(got: dt.datetime | None, wanted: dt.datetime) -> bool:
    if got is None:
        return False
    if got.tzinfo is None:
        got = got.replace(tzinfo=dt.UTC)
    return abs((got - wanted).total_seconds()) <= 1


def _check(received: Received, what: str, field: str, got: Any, wanted: Any) -> None:
    if got != wanted:
        raise CaseFailed(f"{what} has {field} {got!r}, not {wanted!r} as asked",
                         evidence=(received.seq,))


def _check_identity(received: Received, cp: Any) -> None:
    if received.ctx.charge_box_identity != cp.identity:
        raise CaseFailed(f"{received.op.value} names chargeBoxIdentity "
                         f"{received.ctx.charge_box_identity!r}, not {cp.identity!r}",
                         evidence=(received.seq,))


async def update_firmware(central_system: Any, cp: Any) -> Received:
    """Boot, have the Central System send UpdateFirmware, check it carries what was asked."""
    await cp.boot_accepted()
    retrieve = _utc_now() + dt.timedelta(minutes=5)
    await central_system.trigger(cp.identity, Op.UPDATE_FIRMWARE, location=FIRMWARE_URL,
                                 retrieveDate=_iso(retrieve), retries=3, retryInterval=60)
    received = await cp.expect(Op.UPDATE_FIRMWARE, timeout=WAIT)
    _check_identity(received, cp)
    request = received.message
    _check(received, "UpdateFirmware", "location", request.location, FIRMWARE_URL)
    if not _same_time(request.retrieve_date, retrieve):
        raise CaseFailed(f"UpdateFirmware has retrieveDate {request.retrieve_date}, not "
                         f"{_iso(retrieve)} as asked", evidence=(received.seq,))
    _check(received, "UpdateFirmware", "retries", request.retries, 3)
    _check(received, "UpdateFirmware", "retryInterval", request.retry_interval, 60)
    return received


async def get_diagnostics(central_system: Any, cp: Any) -> Received:
    """Boot, have the Central System send GetDiagnostics, check it carries what was asked."""
    await cp.boot_accepted()
    stop = _utc_now()
    start = stop - dt.timedelta(days=1)
    cp.answer(Op.GET_DIAGNOSTICS, fileName="diagnostics-ocppcert.zip")
    await central_system.trigger(cp.identity, Op.GET_DIAGNOSTICS, location=DIAGNOSTICS_URL,
                                 startTime=_iso(start), stopTime=_iso(stop), retries=2,
                                 retryInterval=30)
    received = await cp.expect(Op.GET_DIAGNOSTICS, timeout=WAIT)
    _check_identity(received, cp)
    request = received.message
    _check(received, "GetDiagnostics", "location", request.location, DIAGNOSTICS_URL)
    for name, got, wanted in (("startTime", request.start_time, start),
                              ("stopTime", request.stop_time, stop)):
        if not _same_time(got, wanted):
            raise CaseFailed(f"GetDiagnostics has {name} {got}, not {_iso(wanted)} as asked",
                             evidence=(received.seq,))
    _check(received, "GetDiagnostics", "retries", request.retries, 2)
    _check(received, "GetDiagnostics", "retryInterval", request.retry_interval, 30)
    return received


async def notify(cp: Any, op: Op, statuses: list[str]) -> None:
    """Send each status notification; a fault or an invalid answer fails the case."""
    for status in statuses:
        await cp.send(op, status=status)


@case(octt="TC_044_1_CSMS", title="Firmware Update - Download and Install",
      sut="central-system", profile="FirmwareManagement", spec=UPDATE_SPEC)
async def test_firmware_download_and_install(central_system, cp, case_version):
    """Asked to update a charge point's firmware, the Central System sends UpdateFirmware
    with the location to fetch it from, the date from which to retrieve it, and the retry
    settings asked for. It accepts every FirmwareStatusNotification of the download and the
    installation, and the charge point, rebooted on its new firmware, registers again."""
    await update_firmware(central_system, cp)
    v16 = case_version is OcppVersion.V16
    steps = (["Downloading", "Downloaded", "Installing", "Installed"] if v16
             else ["Downloaded", "Installed"])
    await notify(cp, Op.FIRMWARE_STATUS_NOTIFICATION, steps)
    await cp.boot_accepted(firmwareVersion="2.0")


@case(octt="TC_044_2_CSMS", title="Firmware Update - Download Failed",
      sut="central-system", profile="FirmwareManagement", spec=UPDATE_SPEC)
async def test_firmware_download_failed(central_system, cp, case_version):
    """A charge point that cannot download the firmware reports DownloadFailed in a
    FirmwareStatusNotification; the Central System accepts the report like any other."""
    await update_firmware(central_system, cp)
    v16 = case_version is OcppVersion.V16
    await notify(cp, Op.FIRMWARE_STATUS_NOTIFICATION,
                 ["Downloading", "DownloadFailed"] if v16 else ["DownloadFailed"])
    await cp.send(Op.HEARTBEAT)


@case(octt="TC_044_3_CSMS", title="Firmware Update - Installation Failed",
      sut="central-system", profile="FirmwareManagement", spec=UPDATE_SPEC)
async def test_firmware_installation_failed(central_system, cp, case_version):
    """A charge point that downloads the firmware but cannot install it reports Downloaded
    and then InstallationFailed; the Central System accepts both notifications."""
    await update_firmware(central_system, cp)
    v16 = case_version is OcppVersion.V16
    steps = (["Downloading", "Downloaded", "Installing", "InstallationFailed"] if v16
             else ["Downloaded", "InstallationFailed"])
    await notify(cp, Op.FIRMWARE_STATUS_NOTIFICATION, steps)
    await cp.send(Op.HEARTBEAT)


@case(octt="TC_045_1_CSMS", title="Get Diagnostics", sut="central-system",
      profile="FirmwareManagement", spec=DIAGNOSTICS_SPEC)
async def test_get_diagnostics(central_system, cp, case_version):
    """Asked for a charge point's diagnostics, the Central System sends GetDiagnostics with
    the location to upload to and the time window and retry settings asked for; it accepts
    the DiagnosticsStatusNotifications of the upload."""
    await get_diagnostics(central_system, cp)
    v16 = case_version is OcppVersion.V16
    await notify(cp, Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                 ["Uploading", "Uploaded"] if v16 else ["Uploaded"])


@case(octt="TC_045_2_CSMS", title="Get Diagnostics - Upload Failed", sut="central-system",
      profile="FirmwareManagement", spec=DIAGNOSTICS_SPEC)
async def test_get_diagnostics_upload_failed(central_system, cp, case_version):
    """A charge point whose diagnostics upload fails reports UploadFailed in a
    DiagnosticsStatusNotification; the Central System accepts the report."""
    await get_diagnostics(central_system, cp)
    v16 = case_version is OcppVersion.V16
    await notify(cp, Op.DIAGNOSTICS_STATUS_NOTIFICATION,
                 ["Uploading", "UploadFailed"] if v16 else ["UploadFailed"])
    await cp.send(Op.HEARTBEAT)
