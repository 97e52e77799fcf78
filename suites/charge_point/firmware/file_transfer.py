"""What the firmware and diagnostics cases share about file transfers."""

from __future__ import annotations

from typing import Any

from ocppcert.messages import Op
from ocppcert.pics import file_transfer, profile
from ocppcert.verdicts import NotApplicable
from ocppcert.versions import OcppVersion

# The harness serves firmware and takes diagnostics over HTTP only: a PICS that declares
# file_transfer_protocols without HTTP makes these cases NOT_APPLICABLE up front.
NEEDS_HTTP = (profile("FirmwareManagement"), file_transfer("HTTP"))


async def require_http(cs: Any, version: OcppVersion) -> None:
    """1.6: the harness serves files over HTTP, so SupportedFileTransferProtocols (when
    the charge point has the key) must list HTTP. 1.5 and 1.2 name no protocol key."""
    if version is not OcppVersion.V16:
        return
    read = await cs.command(Op.GET_CONFIGURATION, key=["SupportedFileTransferProtocols"])
    values = {k.key: k.value for k in read.configuration_key}
    if "SupportedFileTransferProtocols" not in values:
        return
    offered = {p.strip().upper() for p in str(values["SupportedFileTransferProtocols"]).split(",")}
    if "HTTP" not in offered:
        raise NotApplicable(f"the harness serves files over HTTP only; the charge point "
                            f"supports {', '.join(sorted(offered)) or 'none'}")
