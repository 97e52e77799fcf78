"""Mutants of the reference Central System: firmware update and diagnostics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from ocppcert.messages import Message, Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.roles.endpoint import CallContext
from tests.mutants.central_system import ids

# The status columns of a store written for the happy path only.
_FIRMWARE_STEPS = {"Downloading": 1, "Downloaded": 2, "Installing": 3, "Installed": 4,
                   "Idle": 0}
_DIAGNOSTICS_STEPS = {"Uploading": 1, "Uploaded": 2, "Idle": 0}


class RetrieveDateLocalTime(ReferenceCentralSystem):
    """Sends UpdateFirmware's retrieveDate in its local time (UTC+1) labelled as UTC."""

    KILLS = ids("044_1") + ids("044_2") + ids("044_3")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Any:
        request = super().build_request(identity, op, fields)
        if Op(op) is Op.UPDATE_FIRMWARE:
            request = dataclasses.replace(
                request, retrieve_date=request.retrieve_date + dt.timedelta(hours=1))
        return request


class FaultsFirmwareFailure(ReferenceCentralSystem):
    """Answers a FirmwareStatusNotification reporting a failure with a SOAP fault."""

    KILLS = ids("044_2") + ids("044_3")

    async def firmware_status_notification(self, request: Any, ctx: CallContext) -> Message:
        status = request.status.value
        if status not in _FIRMWARE_STEPS:  # an unhandled KeyError: an InternalError fault
            raise KeyError(status)
        return await super().firmware_status_notification(request, ctx)


class DropsDiagnosticsWindow(ReferenceCentralSystem):
    """Sends GetDiagnostics without the startTime and stopTime it was asked for."""

    KILLS = ids("045_1") + ids("045_2")

    def build_request(self, identity: str, op: Any, fields: Any = None) -> Any:
        if Op(op) is Op.GET_DIAGNOSTICS:
            fields = {k: v for k, v in (fields or {}).items()
                      if k not in ("startTime", "stopTime")}
        return super().build_request(identity, op, fields)


class FaultsUploadFailed(ReferenceCentralSystem):
    """Answers a DiagnosticsStatusNotification reporting UploadFailed with a SOAP fault."""

    KILLS = ids("045_2")

    async def diagnostics_status_notification(self, request: Any, ctx: CallContext
                                              ) -> Message:
        status = request.status.value
        if status not in _DIAGNOSTICS_STEPS:  # an unhandled KeyError: an InternalError fault
            raise KeyError(status)
        return await super().diagnostics_status_notification(request, ctx)
