"""Authorisation at the station: the authorisation cache (using it, clearing it) and an
idTag the Central System does not accept."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import feature, no_feature
from ocppcert.roles.scripted import Received
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion

from .session_steps import (
    configure,
    expect_after,
    expect_none_after,
    expect_status,
    heartbeat_key,
    occupied_status,
    same_tag,
)

V16 = OcppVersion.V16
CONNECTOR = 1
CACHED_TAG = "OCPPCERT-CACHED"
INVALID_TAG = "OCPPCERT-INVALID"
SHORT_TIMEOUT = 2  # s: ConnectionTimeOut while an idTag is being cached
SESSION_TIMEOUT = 60  # s: ConnectionTimeOut while the case plugs a cable in
HOLD = 15.0  # s: longest the harness keeps an Authorize.req unanswered
PREPARING_WITHOUT_ANSWER = 8.0  # s: for Preparing while that answer is held back
QUIET = 3.0  # s: how long a message that must not come is watched for
HEARTBEAT = 2  # s: heartbeat interval showing the link is back
CLOCK_TOLERANCE = 2.0  # s: between the station's clock and the harness's


async def _cache_by_authorize(cs, charge_point) -> Received:
    """1.6 memory state IdTagCached: the idTag is presented (no cable), authorised online,
    and the authorisation lapses after ConnectionTimeOut. Returns the Available status
    that ends it."""
    await configure(cs, "ConnectionTimeOut", str(SHORT_TIMEOUT))
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(CACHED_TAG, CONNECTOR)
    await expect_after(cs, Op.AUTHORIZE, after=mark,
                       where=lambda m: same_tag(m.id_tag, CACHED_TAG),
                       what=f"Authorize.req for {CACHED_TAG}, which nothing local knows yet")
    preparing = await expect_status(cs, CONNECTOR, "Preparing", after=mark,
                                    why="once the idTag is authorised")
    return await expect_status(cs, CONNECTOR, "Available", after=preparing.seq,
                               timeout=SHORT_TIMEOUT + 10,
                               why=f"when ConnectionTimeOut ({SHORT_TIMEOUT} s) lapses")


async def _cache_by_session(cs, charge_point) -> None:
    """A complete session for the idTag, online: its Authorize, StartTransaction and
    StopTransaction answers (all Accepted) are what the charge point caches."""
    mark = cs.recorder.last_seq
    await charge_point.plug_in(CONNECTOR)
    await charge_point.present_id_tag(CACHED_TAG, CONNECTOR)
    await expect_after(cs, Op.START_TRANSACTION, after=mark,
                       where=lambda m: same_tag(m.id_tag, CACHED_TAG),
                       what=f"StartTransaction for {CACHED_TAG}")
    await charge_point.present_id_tag(CACHED_TAG, CONNECTOR)
    await expect_after(cs, Op.STOP_TRANSACTION, after=mark,
                       what=f"StopTransaction after {CACHED_TAG} was presented again")
    unplugged = cs.recorder.last_seq
    await charge_point.unplug(CONNECTOR)
    await expect_status(cs, CONNECTOR, "Available", after=unplugged,
                        why="once the cable is taken out")


async def _present_offline(cs, charge_point) -> tuple[dt.datetime, dt.datetime]:
    """With the Central System unreachable, plug a cable in and present the cached idTag;
    then restore the link. Returns when the link went down and came back."""
    async with cs.offline():
        down = dt.datetime.now(dt.UTC)
        await charge_point.plug_in(CONNECTOR)
        await charge_point.present_id_tag(CACHED_TAG, CONNECTOR)
    return down, dt.datetime.now(dt.UTC)


@case(octt="TC_007_CS", title="Regular Start Charging Session - Cached Id",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §3.5.1, §4.1, §9.1 (LocalPreAuthorize)"},
      requires=(feature("authorization_cache"),))
async def test_start_with_a_cached_id(cs, charge_point, case_version):
    """An idTag the Central System accepted is kept in the authorisation cache. With
    AuthorizationCacheEnabled and LocalPreAuthorize true, presenting it again lets the
    charge point go ahead on the cached entry without waiting for an Authorize.conf (it
    may still ask): the connector is Preparing even while an Authorize.req stays
    unanswered, and the cable then starts the transaction for that idTag (Charging)."""
    await configure(cs, "AuthorizationCacheEnabled", "true")
    await configure(cs, "LocalPreAuthorize", "true")
    lapsed = await _cache_by_authorize(cs, charge_point)
    await configure(cs, "ConnectionTimeOut", str(SESSION_TIMEOUT))
    release = asyncio.Event()

    async def held_back(request: Any, ctx: Any) -> dict[str, Any]:
        try:
            await asyncio.wait_for(release.wait(), HOLD)
        except TimeoutError:
            pass
        return {"idTagInfo": {"status": "Accepted"}}

    cs.answer(Op.AUTHORIZE, held_back, times=3)
    presenting = asyncio.create_task(charge_point.present_id_tag(CACHED_TAG, CONNECTOR))
    try:
        await expect_status(cs, CONNECTOR, "Preparing", after=lapsed.seq,
                            timeout=PREPARING_WITHOUT_ANSWER,
                            why="for the cached idTag while an Authorize.req for it is "
                                "unanswered (LocalPreAuthorize is true)")
    finally:
        release.set()
        await asyncio.wait_for(presenting, HOLD + 5)
    await charge_point.plug_in(CONNECTOR)
    start = await expect_after(cs, Op.START_TRANSACTION, after=lapsed.seq,
                               what=f"StartTransaction for the cached {CACHED_TAG}")
    m = start.message
    if m.connector_id != CONNECTOR or not same_tag(m.id_tag, CACHED_TAG):
        raise CaseFailed(f"StartTransaction for idTag {m.id_tag!r} on connector "
                         f"{m.connector_id}, expected {CACHED_TAG!r} on {CONNECTOR}",
                         evidence=(start.seq,))
    await expect_status(cs, CONNECTOR, "Charging", after=lapsed.seq,
                        why="once the transaction has started")


@case(octt="TC_007_CS", title="Regular Start Charging Session - Cached Id (offline)",
      sut="charge-point", profile="Core", versions=("1.5", "1.2"),
      spec={"1.5": "OCPP 1.5 §3.2, §4.1 (local authorisation list as cache)",
            "1.2": "OCPP 1.2 §4 Authorize (authorisation cache)"},
      requires=(feature("authorization_cache"), no_feature("unknown_offline_authorization")))
async def test_start_offline_with_a_cached_id(cs, charge_point, case_version):
    """The charge point remembers the idTags the Central System accepted (1.5: in its
    local authorisation list, which doubles as the cache; 1.2: in its cache) and
    authorises them from there while it cannot reach the Central System: a cached idTag
    presented offline with a cable in starts a transaction, whose StartTransaction (timed
    while offline) is delivered once the link is back."""
    await _cache_by_session(cs, charge_point)
    mark = cs.recorder.last_seq
    down, up = await _present_offline(cs, charge_point)
    start = await expect_after(cs, Op.START_TRANSACTION, after=mark, timeout=30,
                               where=lambda m: same_tag(m.id_tag, CACHED_TAG),
                               what=f"the StartTransaction of the offline session of "
                                    f"{CACHED_TAG}, once the link is back")
    started = start.message.timestamp
    if started.tzinfo is None:
        started = started.replace(tzinfo=dt.UTC)  # xs:dateTime without offset: take it as UTC
    slack = dt.timedelta(seconds=CLOCK_TOLERANCE)
    if not down - slack <= started <= up + slack:
        raise CaseFailed(f"the transaction started at {started.isoformat()}, not while the "
                         f"link was down ({down.isoformat()} to {up.isoformat()}): the cached "
                         "idTag was not accepted offline", evidence=(start.seq,))


@case(octt="TC_061_CS", title="Clear Authorization Data in Authorization Cache",
      sut="charge-point", profile="Core", versions=("1.6",),
      spec={"1.6": "OCPP 1.6 §5.4, §3.5.1, §4.1"},
      requires=(feature("authorization_cache"),))
async def test_clear_cache(cs, charge_point, case_version):
    """ClearCache empties the authorisation cache and is answered Accepted. Afterwards the
    charge point no longer knows the idTag it had cached: presented again, even with
    LocalPreAuthorize true, it must be authorised with an Authorize.req."""
    await configure(cs, "AuthorizationCacheEnabled", "true")
    await configure(cs, "LocalPreAuthorize", "true")
    lapsed = await _cache_by_authorize(cs, charge_point)
    reply = await cs.command(Op.CLEAR_CACHE)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ClearCache answered {reply.status.value}, not Accepted")
    await charge_point.present_id_tag(CACHED_TAG, CONNECTOR)
    await expect_after(cs, Op.AUTHORIZE, after=lapsed.seq,
                       where=lambda m: same_tag(m.id_tag, CACHED_TAG), timeout=10,
                       what=f"Authorize.req for {CACHED_TAG}, whose cache entry ClearCache "
                            "removed")


@case(octt="TC_061_CS", title="Clear Authorization Data in Authorization Cache (offline)",
      sut="charge-point", profile="Core", versions=("1.5", "1.2"),
      spec={"1.5": "OCPP 1.5 §5.4, §3.2", "1.2": "OCPP 1.2 §5 ClearCache"},
      requires=(feature("authorization_cache"), no_feature("unknown_offline_authorization")))
async def test_clear_cache_offline(cs, charge_point, case_version):
    """ClearCache is answered Accepted and removes what the charge point learnt from the
    Central System's answers (1.5: the learnt entries of its local authorisation list).
    An idTag it had cached is then unknown: presented while the Central System cannot be
    reached, it starts no transaction, so none is reported once the link is back."""
    await _cache_by_session(cs, charge_point)
    reply = await cs.command(Op.CLEAR_CACHE)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ClearCache answered {reply.status.value}, not Accepted")
    await configure(cs, heartbeat_key(case_version), str(HEARTBEAT))
    mark = cs.recorder.last_seq
    await _present_offline(cs, charge_point)
    back = cs.recorder.last_seq
    await expect_after(cs, Op.HEARTBEAT, after=back, timeout=HEARTBEAT * 3 + 5,
                       what="a Heartbeat once the link is back")
    await expect_none_after(cs, Op.START_TRANSACTION, after=mark, during=QUIET,
                            where=lambda m: same_tag(m.id_tag, CACHED_TAG),
                            why=f"for {CACHED_TAG}, presented offline after ClearCache "
                                "removed it from the cache")


@case(octt="TC_023_CS", title="Start Charging Session - Authorize invalid",
      sut="charge-point", profile="Core",
      spec={"1.6": "OCPP 1.6 §4.1, §4.8", "1.5": "OCPP 1.5 §4.1, §4.8",
            "1.2": "OCPP 1.2 §4 (Authorize, StartTransaction)"})
async def test_authorize_invalid(cs, charge_point, case_version):
    """The charge point supplies energy only after authorisation: an idTag the Central
    System answers Invalid starts no transaction. A cable plugged in makes the connector
    Preparing (1.2/1.5: Occupied) and no StartTransaction follows; once the cable is
    taken out the connector is Available again."""
    if case_version is V16:
        await configure(cs, "LocalPreAuthorize", "true")
    cs.id_tags[INVALID_TAG] = "Invalid"
    mark = cs.recorder.last_seq
    await charge_point.present_id_tag(INVALID_TAG, CONNECTOR)
    await expect_after(cs, Op.AUTHORIZE, after=mark,
                       where=lambda m: same_tag(m.id_tag, INVALID_TAG),
                       what=f"Authorize.req for {INVALID_TAG}")
    await charge_point.plug_in(CONNECTOR)
    plugged = await expect_status(cs, CONNECTOR, occupied_status(case_version, "Preparing"),
                                  after=mark, why="once a cable is plugged in")
    await expect_none_after(cs, Op.START_TRANSACTION, after=mark, during=QUIET,
                            why=f"for {INVALID_TAG}, which Authorize.conf declared Invalid")
    await charge_point.unplug(CONNECTOR)
    await expect_status(cs, CONNECTOR, "Available", after=plugged.seq,
                        why="once the cable is taken out")
