"""The Central System manages a charge point's Local Authorization List: GetLocalListVersion
and SendLocalList (Full and Differential), and what it does with each answer."""

from __future__ import annotations

from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.roles.charge_point import Received
from ocppcert.verdicts import CaseFailed, NotApplicable
from ocppcert.versions import OcppVersion

from ..steps import expect_command

LIST_VERSIONS = ("1.6", "1.5")
QUIET = 3
TAG_A, TAG_B, TAG_C = "OCPPCERT-LL-A", "OCPPCERT-LL-B", "OCPPCERT-LL-C"
ACCEPTED = {"status": "Accepted"}
BLOCKED = {"status": "Blocked"}
FIRST_LIST = [{"idTag": TAG_A, "idTagInfo": ACCEPTED}, {"idTag": TAG_B, "idTagInfo": BLOCKED}]

GET_VERSION_SPEC = {"1.6": "OCPP 1.6 §5.10", "1.5": "OCPP 1.5 §5.8"}
SEND_LIST_SPEC = {"1.6": "OCPP 1.6 §3.5, §5.15", "1.5": "OCPP 1.5 §5.13"}


def entries_of(received: Received) -> dict[str, dict[str, Any] | None]:
    """The update's entries as {casefolded idTag: idTagInfo JSON or None}."""
    data = received.message.to_json()
    items = data.get("localAuthorizationList", data.get("localAuthorisationList")) or []
    return {item["idTag"].casefold(): item.get("idTagInfo") for item in items}


def statuses(entries: dict[str, dict[str, Any] | None]) -> dict[str, str | None]:
    return {tag: (info or {}).get("status") for tag, info in entries.items()}


def update_type(received: Received) -> str:
    return received.message.update_type.value


async def expect_update(cp: Any, kind: str, why: str) -> Received:
    """The next SendLocalList; it must be of ``kind`` (Full or Differential)."""
    received = await expect_command(cp, Op.SEND_LOCAL_LIST, why)
    if update_type(received) != kind:
        raise CaseFailed(f"SendLocalList ({why}) has updateType {update_type(received)}, not "
                         f"{kind}", evidence=(received.seq,))
    return received


async def first_full_list(central_system: Any, cp: Any) -> Received:
    """Boot, have the Central System send FIRST_LIST as a Full list, answered Accepted."""
    await cp.boot_accepted()
    await central_system.send_local_list(cp.identity, "Full", FIRST_LIST)
    return await expect_update(cp, "Full", "the first Full list")


def expected_statuses(**tags: str) -> dict[str, str]:
    return {tag.casefold(): status for tag, status in tags.items()}


def check_whole_list(received: Received, wanted: dict[str, str], what: str) -> None:
    got = statuses(entries_of(received))
    if got != wanted:
        raise CaseFailed(f"{what} carries {got}, not the whole list {wanted}",
                         evidence=(received.seq,))


async def full_list_after(central_system, cp, answer: str) -> None:
    """A Differential update answered ``answer`` must be followed by the whole list as
    Full, with the version the Differential update would have produced."""
    await first_full_list(central_system, cp)
    cp.answer(Op.SEND_LOCAL_LIST, status=answer)
    await central_system.send_local_list(cp.identity, "Differential",
                                         [{"idTag": TAG_C, "idTagInfo": ACCEPTED}])
    diff = await expect_update(cp, "Differential", "the Differential update")
    full = await expect_update(cp, "Full", f"the Full list after {answer}")
    if full.message.list_version != diff.message.list_version:
        raise CaseFailed(f"the Full list after {answer} has listVersion "
                         f"{full.message.list_version}, not the Differential's "
                         f"{diff.message.list_version}", evidence=(diff.seq, full.seq))
    check_whole_list(full, expected_statuses(**{TAG_A: "Accepted", TAG_B: "Blocked",
                                                TAG_C: "Accepted"}),
                     f"the Full list after {answer}")


@case(octt="TC_042_1_CSMS", title="Get Local List Version (not supported)",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=GET_VERSION_SPEC)
async def test_get_version_not_supported(central_system, cp, case_version):
    """The Central System asks a charge point for its list version with GetLocalListVersion.
    A charge point without local lists answers -1, which by convention means "not supported",
    not a version (OCPP 1.6 §5.10; 1.5 §5.8). The Central System copes: it keeps serving the
    charge point and does not take -1 for an outdated list that it should replace by pushing
    a SendLocalList to it."""
    await cp.boot_accepted()
    cp.answer(Op.GET_LOCAL_LIST_VERSION, listVersion=-1)
    await central_system.trigger(cp.identity, Op.GET_LOCAL_LIST_VERSION)
    asked = await expect_command(cp, Op.GET_LOCAL_LIST_VERSION, "asked for its version")
    await cp.expect_none(Op.SEND_LOCAL_LIST, during=QUIET,
                         why=f"unasked after the charge point answered listVersion -1 (local "
                             f"lists not supported) at seq {asked.seq}")
    await cp.send(Op.HEARTBEAT)


@case(octt="TC_042_2_CSMS", title="Get Local List Version (empty)", sut="central-system",
      profile="LocalAuthListManagement", versions=LIST_VERSIONS, spec=GET_VERSION_SPEC)
async def test_get_version_empty(central_system, cp, case_version):
    """Asked for a charge point's list version, the Central System must really ask it with
    GetLocalListVersion, even when it believes it knows the answer: here the charge point
    accepted a list earlier but has lost it since, and answers 0 (an empty list)."""
    await first_full_list(central_system, cp)
    cp.local_list_version = 0  # the charge point lost its list (e.g. a factory reset)
    await central_system.trigger(cp.identity, Op.GET_LOCAL_LIST_VERSION)
    await expect_command(cp, Op.GET_LOCAL_LIST_VERSION, "asked for its version")


@case(octt="TC_043_1_CSMS", title="Send Local Authorization List - NotSupported",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_send_list_not_supported(central_system, cp, case_version):
    """A charge point that answers SendLocalList with NotSupported has no local list; sending
    the list again cannot help, so the Central System does not repeat the update."""
    await cp.boot_accepted()
    cp.answer(Op.SEND_LOCAL_LIST, status="NotSupported")
    await central_system.send_local_list(cp.identity, "Full", FIRST_LIST)
    first = await expect_update(cp, "Full", "the Full list")
    await cp.expect_none(Op.SEND_LOCAL_LIST, during=QUIET,
                         why=f"again after the charge point answered NotSupported to seq "
                             f"{first.seq}")


@case(octt="TC_043_3_CSMS", title="Send Local Authorization List - Failed",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_send_list_failed(central_system, cp, case_version):
    """A Differential update answered Failed leaves the charge point's list in doubt; the
    Central System then sends the whole list as a Full update, with the version the
    Differential update would have produced."""
    await full_list_after(central_system, cp, "Failed")


@case(octt="TC_043_4_CSMS", title="Send Local Authorization List - Full",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_send_list_full(central_system, cp, case_version):
    """A Full update replaces the charge point's whole list: it carries every entry of the
    list, each with its idTagInfo (a Blocked tag is listed as Blocked, so the charge point
    can refuse it offline), and a list version of at least 1."""
    full = await first_full_list(central_system, cp)
    check_whole_list(full, expected_statuses(**{TAG_A: "Accepted", TAG_B: "Blocked"}),
                     "the Full list")
    if full.message.list_version < 1:
        raise CaseFailed(f"the non-empty Full list has listVersion {full.message.list_version}",
                         evidence=(full.seq,))


@case(octt="TC_043_5_CSMS", title="Send Local Authorization List - Differential",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_send_list_differential(central_system, cp, case_version):
    """A Differential update carries only the changes: an entry with idTagInfo is added or
    replaced, an entry without one is removed; entries that do not change are not sent.
    Its listVersion is the version after the changes, so it is above the previous one."""
    full = await first_full_list(central_system, cp)
    await central_system.send_local_list(cp.identity, "Differential",
                                         [{"idTag": TAG_C, "idTagInfo": ACCEPTED},
                                          {"idTag": TAG_A}])
    diff = await expect_update(cp, "Differential", "the Differential update")
    wanted = expected_statuses(**{TAG_C: "Accepted"})
    wanted[TAG_A.casefold()] = None  # removed: no idTagInfo
    got = statuses(entries_of(diff))
    if got != wanted:
        raise CaseFailed(f"the Differential update carries {got}, not only the changes "
                         f"{wanted} (add {TAG_C}, remove {TAG_A})", evidence=(diff.seq,))
    if diff.message.list_version <= full.message.list_version:
        raise CaseFailed(f"the Differential update has listVersion {diff.message.list_version}"
                         f", not above the Full list's {full.message.list_version}",
                         evidence=(full.seq, diff.seq))


@case(own="LOCALLIST_001_CSMS", title="Local list versions increase with every update",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_list_versions_increase(central_system, cp, case_version):
    """Each Differential update names the version the list has after it, so successive
    updates of one list (Full, then Differential, then Differential) carry strictly
    increasing listVersions, and a later Full list carries the latest one."""
    updates = [await first_full_list(central_system, cp)]
    for change in ([{"idTag": TAG_C, "idTagInfo": ACCEPTED}], [{"idTag": TAG_B}]):
        await central_system.send_local_list(cp.identity, "Differential", change)
        updates.append(await expect_update(cp, "Differential", "a Differential update"))
    versions = [u.message.list_version for u in updates]
    if any(b <= a for a, b in zip(versions, versions[1:], strict=False)):
        raise CaseFailed(f"the updates Full, Differential, Differential carry listVersions "
                         f"{versions}, not strictly increasing",
                         evidence=tuple(u.seq for u in updates))


@case(own="LOCALLIST_002_CSMS", title="Full list after VersionMismatch",
      sut="central-system", profile="LocalAuthListManagement", versions=LIST_VERSIONS,
      spec=SEND_LIST_SPEC)
async def test_full_after_version_mismatch(central_system, cp, case_version):
    """VersionMismatch to a Differential update means the charge point's list is not the
    one the update was meant for; the Central System then sends the whole list as Full."""
    await full_list_after(central_system, cp, "VersionMismatch")


@case(own="LOCALLIST_003_CSMS", title="The list hash describes the resulting list",
      sut="central-system", profile="LocalAuthListManagement", versions=("1.5",),
      spec={"1.5": "OCPP 1.5 §5.13"})
async def test_hash_of_resulting_list(central_system, cp, case_version):
    """OCPP 1.5 lets SendLocalList carry a hash of the local list, so that the charge point
    can tell whether its list is the Central System's (it answers HashError otherwise). The
    method is left to the implementation, but the hash is of the list after the update:
    equal lists have equal hashes, different lists different ones. Adding a tag and removing
    it again returns to the first hash."""
    assert case_version is OcppVersion.V15
    updates = [await first_full_list(central_system, cp)]
    for change in ([{"idTag": TAG_C, "idTagInfo": ACCEPTED}], [{"idTag": TAG_C}]):
        await central_system.send_local_list(cp.identity, "Differential", change)
        updates.append(await expect_update(cp, "Differential", "a Differential update"))
    hashes = [u.message.hash for u in updates]
    if all(h is None for h in hashes):
        raise NotApplicable("the Central System sends no hash (optional in OCPP 1.5)")
    evidence = tuple(u.seq for u in updates)
    if any(h is None for h in hashes):
        raise CaseFailed(f"the Central System sends a hash in some updates only: {hashes}",
                         evidence=evidence)
    first, added, removed = (h.lower() for h in hashes)
    if added == first:
        raise CaseFailed(f"adding {TAG_C} left the hash at {first}: it does not describe the "
                         "list", evidence=evidence)
    if removed != first:
        raise CaseFailed(f"removing {TAG_C} again restored the first list, but the hash is "
                         f"{removed}, not the first list's {first}", evidence=evidence)


@case(own="LOCALLIST_004_CSMS", title="Full list after HashError", sut="central-system",
      profile="LocalAuthListManagement", versions=("1.5",), spec={"1.5": "OCPP 1.5 §5.13"})
async def test_full_after_hash_error(central_system, cp, case_version):
    """HashError (OCPP 1.5) means the charge point's list, after the update, is not the one
    the Central System described; the cure is the whole list, sent as Full."""
    await full_list_after(central_system, cp, "HashError")
