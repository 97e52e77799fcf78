"""Commands from the Central System: Reset."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed


@case(octt="TC_013_CSMS", title="Hard Reset Without transaction", sut="central-system",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.14", "1.5": "OCPP 1.5 §5.12",
                            "1.2": "OCPP 1.2 §5.10"})
async def test_hard_reset(central_system, cp, case_version):
    """Asked to hard-reset a charge point, the Central System sends Reset of type Hard to
    the address the charge point gave in wsa:From, with the charge point's identity; after
    the Accepted answer the charge point reboots and registers again."""
    await cp.boot_accepted()
    await central_system.trigger(cp.identity, Op.RESET, type="Hard")
    reset = await cp.expect(Op.RESET, timeout=30)
    if reset.message.type.value != "Hard":
        raise CaseFailed(f"the Reset sent is of type {reset.message.type.value}, not Hard",
                         evidence=(reset.seq,))
    if reset.ctx.charge_box_identity != cp.identity:
        raise CaseFailed(f"the Reset names chargeBoxIdentity {reset.ctx.charge_box_identity!r}"
                         f", not {cp.identity!r}", evidence=(reset.seq,))
    await cp.boot_accepted()


@case(octt="TC_014_CSMS", title="Soft Reset Without Transaction", sut="central-system",
      profile="Core", spec={"1.6": "OCPP 1.6 §5.14", "1.5": "OCPP 1.5 §5.12",
                            "1.2": "OCPP 1.2 §5.10"})
async def test_soft_reset(central_system, cp, case_version):
    """Asked to soft-reset a charge point, the Central System sends Reset of type Soft;
    the charge point then registers again."""
    await cp.boot_accepted()
    await central_system.trigger(cp.identity, Op.RESET, type="Soft")
    reset = await cp.expect(Op.RESET, timeout=30)
    if reset.message.type.value != "Soft":
        raise CaseFailed(f"the Reset sent is of type {reset.message.type.value}, not Soft",
                         evidence=(reset.seq,))
    await cp.boot_accepted()
