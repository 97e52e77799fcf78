"""Mutants of the reference charge point."""

from __future__ import annotations

from typing import Any

from ocppcert.reference.charge_point.station import ReferenceChargePoint


def _all_versions(octt_number: str) -> tuple[str, ...]:
    return (f"TC_{octt_number}_CS", f"V15_{octt_number}_CS", f"V12_{octt_number}_CS")


class IgnoresBootInterval(ReferenceChargePoint):
    """Retries a Rejected BootNotification at once instead of after the interval."""

    KILLS = _all_versions("001")

    @staticmethod
    def _interval_of(response: Any) -> Any:
        status = getattr(response.status, "value", str(response.status))
        if status != "Accepted":
            return 0.1
        return ReferenceChargePoint._interval_of(response)


class NoStatusForConnectorZero(ReferenceChargePoint):
    """Reports every connector after boot, but not connector 0."""

    KILLS = _all_versions("001")

    def _emit_status(self, connector_id: int, **kwargs: Any) -> None:
        if connector_id != 0:
            super()._emit_status(connector_id, **kwargs)


class AnswersEveryIdentity(ReferenceChargePoint):
    """Carries out requests addressed to any chargeBoxIdentity."""

    KILLS = ("V16_SOAP_001_CS", "V15_SOAP_001_CS", "V12_SOAP_001_CS")

    def _admit(self, report: Any, info: Any, record: Any) -> Any:
        own, self.identity = self.identity, None
        try:
            return super()._admit(report, info, record)
        finally:
            self.identity = own
