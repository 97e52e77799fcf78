"""SOAP transport requirements on the charge point's side (OCPP-S 1.6 §3-4, OCPP 1.5 §8)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles import RemoteFault
from ocppcert.soap import FaultSubcode
from ocppcert.verdicts import CaseFailed


@case(own="SOAP_001_CS", title="IdentityMismatch for a request to another identity",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (chargeBoxIdentity)", "1.5": "OCPP 1.5 §8.1",
            "1.2": "OCPP 1.2 §8"})
async def test_identity_mismatch(cs, charge_point, case_version):
    """A charge point that receives a request addressed to another chargeBoxIdentity, and
    cannot relay it, answers with a SOAP fault whose subcode is IdentityMismatch, and does
    not carry the request out."""
    other = charge_point.identity + "-OTHER"
    try:
        reply = await cs.send_command(cs.request(Op.CLEAR_CACHE), identity=other)
    except RemoteFault as exc:
        if exc.fault.subcode is not FaultSubcode.IDENTITY_MISMATCH:
            raise CaseFailed(f"the fault's subcode is {exc.fault.subcode!r}, not IdentityMismatch",
                             evidence=(exc.record.seq,) if exc.record else ()) from None
        return
    raise CaseFailed(f"ClearCache for {other!r} was answered {reply.status.value} instead of an "
                     "IdentityMismatch fault")
