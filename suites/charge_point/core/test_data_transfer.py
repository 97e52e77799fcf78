"""DataTransfer from the Central System to the charge point (1.5 and 1.6)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

# Nobody's vendorId: a reverse-DNS name under this project's own, never implemented.
UNKNOWN_VENDOR = "org.ocppcert.no-such-vendor"


@case(octt="TC_062_CS", title="Data Transfer to a Charge Point", sut="charge-point",
      profile="Core", versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.6", "1.5": "OCPP 1.5 §5.5"})
async def test_data_transfer_unknown_vendor(cs, charge_point, case_version):
    """A charge point that has no implementation for a DataTransfer's vendorId answers
    with status UnknownVendorId (the spec's SHALL; OCTT also lets Rejected and
    UnknownMessageId pass, and only warns about Accepted)."""
    reply = await cs.command(Op.DATA_TRANSFER, vendorId=UNKNOWN_VENDOR,
                             messageId="OcppCertProbe", data="ocppcert")
    if reply.status.value != "UnknownVendorId":
        raise CaseFailed(f"DataTransfer for vendorId {UNKNOWN_VENDOR!r}, which no charge point "
                         f"implements, answered {reply.status.value}, not UnknownVendorId")
