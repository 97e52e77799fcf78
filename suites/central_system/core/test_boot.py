"""Booting against the Central System: BootNotification, StatusNotification, Heartbeat."""

from __future__ import annotations

import datetime as dt

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

CLOCK_TOLERANCE = dt.timedelta(minutes=5)


def _close_to_now(value: dt.datetime, what: str) -> None:
    now = dt.datetime.now(dt.UTC)
    moment = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if abs(moment - now) > CLOCK_TOLERANCE:
        raise CaseFailed(f"{what} is {moment.isoformat()}, {abs(moment - now)} away from now")


@case(octt="TC_001_CSMS", title="Cold Boot Charge Point", sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.2, §4.6, §4.9", "1.5": "OCPP 1.5 §4.2, §4.6, §4.9",
            "1.2": "OCPP 1.2 §4.2, §4.6, §4.9"})
async def test_cold_boot(central_system, cp, case_version):
    """A charge point that boots registers with BootNotification; the Central System
    answers with a registration status, its current time (so the charge point can set its
    clock) and, when it accepts, a positive heartbeat interval. It then accepts the
    charge point's StatusNotifications and answers each Heartbeat with its current time."""
    boot = await cp.boot_accepted(chargePointSerialNumber="OCPPCERT-0001",
                                  firmwareVersion="1.0.0")
    _close_to_now(boot.current_time, "BootNotification.currentTime")
    interval = boot.interval if case_version is OcppVersion.V16 else boot.heartbeat_interval
    if interval <= 0:
        raise CaseFailed(f"an Accepted boot came with heartbeat interval {interval}")
    status = "Available"
    for connector in (0, 1):
        fields = {"connectorId": connector, "status": status, "errorCode": "NoError"}
        if case_version is not OcppVersion.V12:
            fields["timestamp"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        await cp.send(Op.STATUS_NOTIFICATION, **fields)
    beat = await cp.send(Op.HEARTBEAT)
    _close_to_now(beat.current_time, "Heartbeat.currentTime")
