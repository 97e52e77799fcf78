"""Connector faults and vendor data reported to the Central System (OCTT §3.8, §3.20)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from ..steps import TAG, authorize, start, status, stop

UNKNOWN_VENDOR = "org.ocppcert.nobody-implements-this"


@case(octt="TC_024_CSMS", title="Start Charging Session - Lock Failure",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.9, §7.6", "1.5": "OCPP 1.5 §4.9",
            "1.2": "OCPP 1.2 §4 StatusNotification"})
async def test_lock_failure(central_system, cp, case_version):
    """The connector cannot lock the cable after the driver was authorised, so the
    charge point reports the connector Faulted with errorCode ConnectorLockFailure and
    starts no transaction. The Central System takes that StatusNotification like any
    other (an answer, no fault) and, once the connector recovers, the session can be
    started normally."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    await authorize(cp)
    await status(cp, case_version, "faulted", error_code="ConnectorLockFailure")
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    tx = await start(cp)
    await stop(cp, case_version, tx)


@case(octt="TC_064_CSMS", title="Data Transfer to a Central System", sut="central-system",
      profile="Core", spec={"1.6": "OCPP 1.6 §4.3", "1.5": "OCPP 1.5 §4.3"},
      versions=("1.6", "1.5"))
async def test_data_transfer(central_system, cp, case_version):
    """A charge point may send vendor-specific data with DataTransfer. A Central System
    that has no implementation for the vendorId must answer with status UnknownVendorId
    (not Accepted or a fault), so the charge point knows the data went unused."""
    await cp.boot_accepted()
    reply = await cp.send(Op.DATA_TRANSFER, vendorId=UNKNOWN_VENDOR, messageId="ocppcert",
                          data="hello")
    if reply.status.value != "UnknownVendorId":
        raise CaseFailed(f"DataTransfer for vendorId {UNKNOWN_VENDOR!r}, which no Central "
                         f"System implements, is answered {reply.status.value}, not "
                         "UnknownVendorId", evidence=(cp.recorder.last_seq,))
