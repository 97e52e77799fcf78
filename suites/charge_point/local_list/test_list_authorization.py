"""What the local list does: authorising idTags (online with LocalPreAuthorize, offline),
its deletions, its priority over the cache, the 1.5 hash, and conflicts with the Central
System.

Offline here is the harness's own endpoint refusing connections (``cs.offline()``): the
charge point cannot reach its Central System and must decide alone.
"""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, profile
from ocppcert.verdicts import CaseFailed, NotApplicable
from ocppcert.versions import OcppVersion

from ._steps import (
    AFTER_RECONNECT,
    MUST_ARRIVE,
    configure,
    enable_local_list,
    entry,
    expect_list_version,
    expect_no_start,
    expect_start,
    expect_status,
    list_version,
    mark,
    offline_only_by_list,
    same_tag,
    send_list_expecting,
    start_offline,
)

LALM = "LocalAuthListManagement"
# Not a hash any charge point computes for a list: not hexadecimal, and it says so.
WRONG_HASH = "ocppcert-this-is-not-the-hash-of-the-list"


@case(octt="TC_008_CS", title="Regular Start Charging Session - Id in Local Authorization List",
      sut="charge-point", profile=LALM, versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.5, §3.5.2, §9.1 LocalPreAuthorize"},
      requires=(profile(LALM),))
async def test_start_with_an_id_in_the_local_list(cs, charge_point, case_version):
    """With LocalPreAuthorize true, an idTag the local list holds as Accepted starts a
    transaction at once: the charge point neither asks the Central System (no Authorize)
    nor waits for it. The connector goes Preparing when the idTag is presented and
    Charging once the cable is in, and StartTransaction carries the idTag. (1.5 has no
    LocalPreAuthorize: whether it asks first is its own choice, so there is no mirror.)"""
    tag = "LL-008-LISTED"
    await configure(cs, "LocalPreAuthorize", "true")
    await configure(cs, "AuthorizationCacheEnabled", "false", optional=True)
    await enable_local_list(cs)
    await list_version(cs)
    await send_list_expecting(cs, "Accepted", "Full", 1, [entry(tag)])
    before = mark(cs)
    await charge_point.present_id_tag(tag, 1)
    await expect_status(cs, 1, "Preparing", after=before)
    await charge_point.plug_in(1)
    start = await expect_start(cs, tag, connector=1)
    await expect_status(cs, 1, "Charging", after=before)
    asked = [r for r in cs.seen(Op.AUTHORIZE) if same_tag(r.message.id_tag, tag)]
    if asked:
        raise CaseFailed(f"the charge point sent Authorize for {tag}, which its local list "
                         "holds as Accepted, although LocalPreAuthorize is true",
                         evidence=(asked[0].seq, start.seq))


@case(own="LOCALLIST_001_CS", title="Local list hash: a wrong hash is answered HashError",
      sut="charge-point", profile=LALM, versions=("1.5",), spec={"1.5": "OCPP 1.5 §5.13"},
      requires=(profile(LALM),))
async def test_send_list_with_a_wrong_hash(cs, charge_point, case_version):
    """OCPP 1.5 lets SendLocalList carry a hash of the list as it must be after the update,
    and the charge point report the hash of its list in the answer. A hash that does not
    match the list the update would produce is answered HashError, and the update is not
    applied (the list keeps its version). The hash the charge point reported for a list is
    accepted when the same list is sent again with it."""
    entries = [entry("LL-H-A"), entry("LL-H-B", "Blocked")]
    first = await send_list_expecting(cs, "Accepted", "Full", 1, entries)
    if first.hash:
        await send_list_expecting(cs, "Accepted", "Full", 1, entries, hash=first.hash,
                                  why=f" with the hash {first.hash} the charge point reported "
                                      "for that very list")
    await send_list_expecting(cs, "HashError", "Differential", 2, [entry("LL-H-C")],
                              hash=WRONG_HASH, why=f" with the hash {WRONG_HASH!r}")
    await expect_list_version(cs, 1, "after the update was answered HashError")


@case(own="LOCALLIST_002_CS", title="Differential update deletes an entry", sut="charge-point",
      profile=LALM, versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §5.15, §3.5.2, §3.5.4", "1.5": "OCPP 1.5 §5.13, §3.2"},
      requires=(profile(LALM),))
async def test_differential_update_deletes_an_entry(cs, charge_point, case_version):
    """In a Differential update, an entry without idTagInfo removes that idTag from the
    list: afterwards the list no longer authorises it. Seen offline, where only the list
    can authorise: the deleted idTag starts nothing, while an idTag still in the list
    does, and its StartTransaction is delivered once the Central System is back."""
    gone, stay = "LL-DEL-GONE", "LL-DEL-STAY"
    await enable_local_list(cs)
    if not await offline_only_by_list(cs):
        raise NotApplicable("the charge point accepts unknown idTags offline "
                            "(AllowOfflineTxForUnknownId stays true): a deleted entry would "
                            "be authorised anyway")
    await send_list_expecting(cs, "Accepted", "Full", 1, [entry(gone), entry(stay)])
    await send_list_expecting(cs, "Accepted", "Differential", 2, [entry(gone, None)],
                              why=" (deleting one entry)")
    await expect_list_version(cs, 2, "after the Differential update to version 2")
    async with cs.offline():
        await start_offline(charge_point, gone, 1)
        await start_offline(charge_point, stay, 2)
    await expect_start(cs, stay, connector=2, timeout=AFTER_RECONNECT,
                       what=f"the StartTransaction of {stay} (still in the list), started "
                            "offline")
    await expect_no_start(cs, gone, why=f"for {gone}, which a Differential update had deleted "
                                        "from the list, presented while offline")


@case(own="LOCALLIST_003_CS", title="The local list has priority over the authorisation cache",
      sut="charge-point", profile=LALM, versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §3.5.3, §3.5.4", "1.5": "OCPP 1.5 §3.2, §5.13"},
      requires=(profile(LALM), feature("authorization_cache")))
async def test_list_overrides_the_cache(cs, charge_point, case_version):
    """When the local list and the authorisation cache both know an idTag, the list wins
    (1.6 §3.5.3; in 1.5 the list and what the charge point learned are one structure, and
    the Central System's SendLocalList is the newer word). An idTag learned as Accepted in
    a transaction and then put in the list as Blocked is refused offline; an idTag the
    same list holds as Accepted starts a transaction."""
    blocked, listed = "LL-PRIO-BLOCKED", "LL-PRIO-LISTED"
    await enable_local_list(cs)
    if case_version is OcppVersion.V16:
        await configure(cs, "AuthorizationCacheEnabled", "true")
    await offline_only_by_list(cs)
    await charge_point.present_id_tag(blocked, 1)
    await charge_point.plug_in(1)
    await expect_start(cs, blocked, connector=1,
                       what=f"StartTransaction for {blocked}, Accepted by the Central System")
    await charge_point.present_id_tag(blocked, 1)
    await cs.expect(Op.STOP_TRANSACTION, timeout=MUST_ARRIVE,
                    what=f"StopTransaction after {blocked} was presented again")
    await charge_point.unplug(1)
    cs.id_tags[blocked] = "Blocked"
    await send_list_expecting(cs, "Accepted", "Full", 1,
                              [entry(blocked, "Blocked"), entry(listed)])
    async with cs.offline():
        await start_offline(charge_point, blocked, 1)
        await start_offline(charge_point, listed, 2)
    await expect_start(cs, listed, connector=2, timeout=AFTER_RECONNECT,
                       what=f"the StartTransaction of {listed} (Accepted in the list), started "
                            "offline")
    await expect_no_start(cs, blocked, why=f"for {blocked}, Blocked in the local list though "
                                           "Accepted in the cache, presented while offline")


@case(own="LOCALLIST_004_CS", title="Offline authorisation by the local list",
      sut="charge-point", profile=LALM, versions=("1.6", "1.5"),
      spec={"1.6": "OCPP 1.6 §3.5, §3.5.2, §3.7, §9.1 LocalAuthorizeOffline",
            "1.5": "OCPP 1.5 §3.2"},
      requires=(profile(LALM),))
async def test_offline_start_by_the_local_list(cs, charge_point, case_version):
    """Without its Central System, the charge point authorises an idTag its local list
    holds as Accepted (1.6: with LocalAuthorizeOffline true) and starts the transaction;
    it queues the StartTransaction and delivers it once the Central System is reachable
    again. An idTag it knows nothing about is not authorised (unknown-offline
    authorisation switched off where the charge point has it)."""
    listed, unknown = "LL-OFF-LISTED", "LL-OFF-UNKNOWN"
    await enable_local_list(cs)
    refuses_unknown = await offline_only_by_list(cs)
    await send_list_expecting(cs, "Accepted", "Full", 1, [entry(listed)])
    async with cs.offline():
        if refuses_unknown:
            await start_offline(charge_point, unknown, 2)
        await start_offline(charge_point, listed, 1)
    await expect_start(cs, listed, connector=1, timeout=AFTER_RECONNECT,
                       what=f"the StartTransaction of {listed} (Accepted in the list), started "
                            "offline and queued")
    if refuses_unknown:
        await expect_no_start(cs, unknown, why=f"for {unknown}, in no list, presented while "
                                               "offline")


@case(own="LOCALLIST_005_CS", title="Local list conflict is reported", sut="charge-point",
      profile=LALM, versions=("1.6",), spec={"1.6": "OCPP 1.6 §3.5.2, §4.9, §7.6"},
      requires=(profile(LALM),))
async def test_local_list_conflict_is_reported(cs, charge_point, case_version):
    """When the Central System's word on an idTag contradicts the local list (1.6 §3.5.2
    names a StartTransaction.conf as the example), the charge point SHALL tell it with a
    StatusNotification for connector 0 with errorCode LocalListConflict. Here the list
    holds the idTag as Accepted and the Central System answers Blocked, whether the charge
    point asks with Authorize or starts from the list (LocalPreAuthorize true)."""
    tag = "LL-CONFLICT"
    await enable_local_list(cs)
    await configure(cs, "LocalPreAuthorize", "true")
    await send_list_expecting(cs, "Accepted", "Full", 1, [entry(tag)])
    cs.id_tags[tag] = "Blocked"
    before = mark(cs)
    await charge_point.present_id_tag(tag, 1)
    await charge_point.plug_in(1)
    try:
        await cs.expect(Op.STATUS_NOTIFICATION, timeout=MUST_ARRIVE,
                        where=lambda m: (m.connector_id == 0
                                         and m.error_code.value == "LocalListConflict"),
                        what="StatusNotification for connector 0 with errorCode "
                             "LocalListConflict")
    except CaseFailed as failed:
        told = [r for r in cs.inbox if r.seq > before
                and r.op in (Op.AUTHORIZE, Op.START_TRANSACTION)
                and same_tag(r.message.id_tag, tag)]
        if not told:
            raise CaseFailed(f"the charge point neither sent Authorize nor started a "
                             f"transaction for {tag}, Accepted in its local list") from None
        raise CaseFailed(f"{failed.reason}, after the Central System answered Blocked for "
                         f"{tag}, which the local list holds as Accepted",
                         evidence=tuple(r.seq for r in told)) from None
