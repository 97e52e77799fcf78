"""Authorisation by the Central System: Authorize answers per idTag status."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

UNKNOWN_TAG = "OCPPCERT-NOBODY"
BLOCKED_TAG = "OCPPCERT-BLOCKED"


@case(octt="TC_023_1_CSMS", title="Start Charging Session - Authorize invalid",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §7.15", "1.5": "OCPP 1.5 §4.1", "1.2": "OCPP 1.2 §4.1"})
async def test_authorize_unknown_tag(central_system, cp, case_version):
    """An idTag the Central System does not know must not be authorised: Authorize is
    answered with status Invalid."""
    await cp.boot_accepted()
    reply = await cp.send(Op.AUTHORIZE, idTag=UNKNOWN_TAG)
    if reply.id_tag_info.status.value != "Invalid":
        raise CaseFailed(f"an unknown idTag was answered {reply.id_tag_info.status.value}, "
                         "not Invalid")


@case(octt="TC_023_3_CSMS", title="Start Charging Session - Authorize blocked",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §7.15", "1.5": "OCPP 1.5 §4.1", "1.2": "OCPP 1.2 §4.1"})
async def test_authorize_blocked_tag(central_system, cp, case_version):
    """An idTag the Central System has blocked is answered Blocked, and a known valid one
    Accepted: the answer reflects the Central System's own record of the tag."""
    await central_system.add_id_tag(BLOCKED_TAG, "Blocked")
    await central_system.add_id_tag("OCPPCERT-OK", "Accepted")
    await cp.boot_accepted()
    blocked = await cp.send(Op.AUTHORIZE, idTag=BLOCKED_TAG)
    if blocked.id_tag_info.status.value != "Blocked":
        raise CaseFailed(f"a blocked idTag was answered {blocked.id_tag_info.status.value}")
    fine = await cp.send(Op.AUTHORIZE, idTag="OCPPCERT-OK")
    if fine.id_tag_info.status.value != "Accepted":
        raise CaseFailed(f"a valid idTag was answered {fine.id_tag_info.status.value}")
