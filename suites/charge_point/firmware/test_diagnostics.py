"""GetDiagnostics: the charge point uploads a diagnostics file where it is told to.

The upload goes to the harness's own HTTP file server (ocppcert.roles.file_server), which
records what arrived. OCPP 1.6 reports Uploading and then Uploaded / UploadFailed; 1.5
and 1.2 only the outcome.
"""

from __future__ import annotations

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

SPEC = {"1.6": "OCPP 1.6 §5.9, §4.4, §8.2", "1.5": "OCPP 1.5 §5.7, §4.4",
        "1.2": "OCPP 1.2 ch. 5 (Get Diagnostics), ch. 4 (Diagnostics Status Notification)"}


async def get_diagnostics(cs: Any, location: str) -> Any:
    """GetDiagnostics with a single try (retries 0), so failures surface at once."""
    return await cs.command(Op.GET_DIAGNOSTICS, location=location, retries=0, retryInterval=1)


async def expect_diagnostics_outcome(cs: Any, version: OcppVersion, outcome: str) -> Received:
    """1.6: Uploading (perhaps once per try), then ``outcome``; 1.5/1.2: ``outcome``."""
    expected = ["Uploading", outcome] if version is V16 else [outcome]
    sent: list[str] = []
    while True:
        received = await cs.expect(Op.DIAGNOSTICS_STATUS_NOTIFICATION, timeout=ARRIVAL,
                                   what=f"DiagnosticsStatusNotification {outcome}")
        sent.append(received.message.status.value)
        if sent[-1] == outcome and (version is not V16 or "Uploading" in sent[:-1]):
            return received
        if version is V16 and sent[-1] == "Uploading":
            continue
        raise CaseFailed(f"DiagnosticsStatusNotification {sent[-1]} out of turn (expected "
                         f"{', '.join(expected)}; sent {', '.join(sent)})",
                         evidence=(received.seq,))


@case(octt="TC_045_1_CS", title="Get Diagnostics", sut="charge-point",
      profile="FirmwareManagement", spec=SPEC, requires=NEEDS_HTTP)
async def test_get_diagnostics(cs, charge_point, case_version):
    """GetDiagnostics names where to upload the diagnostics. The charge point answers
    with the name of the file it will upload, uploads it to that location and reports
    Uploaded (1.6: Uploading first); the file has actually arrived by then."""
    await require_http(cs, case_version)
    async with FileServer.beside(cs) as files:
        location = files.accept_uploads("/diagnostics/")
        reply = await get_diagnostics(cs, location)
        if not reply.file_name:
            raise CaseFailed("GetDiagnostics was answered without a fileName, i.e. the charge "
                             "point has no diagnostics to upload")
        uploaded = await expect_diagnostics_outcome(cs, case_version, "Uploaded")
        arrived = [u for u in files.uploads if u.at <= uploaded.at]
        if not arrived:
            raise CaseFailed(f"Uploaded was reported, but nothing was uploaded to {location}",
                             evidence=(uploaded.seq,))
        if not any(u.data for u in arrived):
            raise CaseFailed(f"the diagnostics uploaded to {location} are empty",
                             evidence=(uploaded.seq,))


@case(octt="TC_045_2_CS", title="Get Diagnostics - Upload Failed", sut="charge-point",
      profile="FirmwareManagement", spec=SPEC, requires=NEEDS_HTTP)
async def test_get_diagnostics_upload_failed(cs, charge_point, case_version):
    """When the location refuses the upload, the charge point, having tried, reports
    UploadFailed (1.6: after Uploading), never Uploaded."""
    await require_http(cs, case_version)
    async with FileServer.beside(cs) as files:
        location = files.refuse("/diagnostics-refused/", 403)
        await get_diagnostics(cs, location)
        failed = await expect_diagnostics_outcome(cs, case_version, "UploadFailed")
        tried = [t for t in files.of_kind(TransferKind.REFUSED) if t.at <= failed.at]
        if not tried:
            raise CaseFailed(f"UploadFailed was reported without any attempt to upload to "
                             f"{location}", evidence=(failed.seq,))
