"""Authorisation around sessions: cached ids, clearing the cache, expired idTags
(OCTT §3.3, §3.8)."""

from __future__ import annotations

import datetime as dt

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from ..steps import TAG, require_tag_free, start, status, stop

EXPIRED_TAG = "OCPPCERT-EXPIRED"
LAPSED_TAG = "OCPPCERT-LAPSED"


@case(octt="TC_007_CSMS", title="Regular Start Charging Session - Cached Id",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §3.4.1, §4.8", "1.5": "OCPP 1.5 §3.4, §4.8",
            "1.2": "OCPP 1.2 §4 StartTransaction"})
async def test_cached_id(central_system, cp, case_version):
    """A charge point that finds the idTag Accepted in its authorisation cache starts
    the transaction at once, without an Authorize. The Central System must take the
    StartTransaction on its own: it checks the tag itself and answers idTagInfo Accepted
    with a transactionId; a missing Authorize is no reason to refuse."""
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await status(cp, case_version, "preparing")
    tx = await start(cp)
    await status(cp, case_version, "charging")
    await stop(cp, case_version, tx)
    await status(cp, case_version, "idle")
    await require_tag_free(cp, TAG, f"transaction {tx} stopped")


@case(octt="TC_061_CSMS", title="Clear Authorization Data in Authorization Cache",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §5.4", "1.5": "OCPP 1.5 §5.4", "1.2": "OCPP 1.2 §5 ClearCache"})
async def test_clear_cache(central_system, cp, fleet, case_version):
    """Asked to clear one charge point's authorisation cache, the Central System sends
    ClearCache to that charge point (its chargeBoxIdentity, at the address it gave) and
    to no other. After the charge point answers Accepted, its idTags are authorised
    online again: an Authorize of a valid tag is answered Accepted."""
    await central_system.add_id_tag(TAG)
    other = await fleet.add()
    await cp.boot_accepted()
    await other.boot_accepted()
    await central_system.trigger(cp.identity, Op.CLEAR_CACHE)
    cleared = await cp.expect(Op.CLEAR_CACHE, timeout=30)
    if cleared.ctx.charge_box_identity != cp.identity:
        raise CaseFailed(f"the ClearCache names chargeBoxIdentity "
                         f"{cleared.ctx.charge_box_identity!r}, not {cp.identity!r}",
                         evidence=(cleared.seq,))
    await other.expect_none(Op.CLEAR_CACHE, during=3,
                            why=f"to {other.identity}, whose cache nobody asked to clear")
    reply = await cp.send(Op.AUTHORIZE, idTag=TAG)
    if reply.id_tag_info.status.value != "Accepted":
        raise CaseFailed(f"after ClearCache, Authorize of the valid tag {TAG} is answered "
                         f"{reply.id_tag_info.status.value}", evidence=(cp.recorder.last_seq,))


@case(octt="TC_023_2_CSMS", title="Start Charging Session - Authorize expired",
      sut="central-system", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §7.15", "1.5": "OCPP 1.5 §4.1",
            "1.2": "OCPP 1.2 §4 Authorize"})
async def test_authorize_expired(central_system, cp, case_version):
    """An idTag whose validity has ended must not be authorised: the Central System
    answers Authorize with status Expired, both for a tag it holds as Expired and for a
    tag whose expiryDate has passed. A valid tag is still answered Accepted."""
    past = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=2)
    await central_system.add_id_tag(EXPIRED_TAG, "Expired")
    await central_system.add_id_tag(LAPSED_TAG, "Accepted", expiry_date=past)
    await central_system.add_id_tag(TAG)
    await cp.boot_accepted()
    for tag, what in ((EXPIRED_TAG, "held as Expired"),
                      (LAPSED_TAG, f"whose expiryDate {past.isoformat()} has passed")):
        reply = await cp.send(Op.AUTHORIZE, idTag=tag)
        got = reply.id_tag_info.status.value
        if got != "Expired":
            raise CaseFailed(f"Authorize of {tag}, {what}, is answered {got}, not Expired",
                             evidence=(cp.recorder.last_seq,))
    fine = await cp.send(Op.AUTHORIZE, idTag=TAG)
    if fine.id_tag_info.status.value != "Accepted":
        raise CaseFailed(f"Authorize of the valid tag {TAG} is answered "
                         f"{fine.id_tag_info.status.value}", evidence=(cp.recorder.last_seq,))
