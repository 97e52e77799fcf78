"""The Local Authorization List the reference Central System keeps per charge point:
Full and Differential updates with the versions it assigns, deletion by omitted
idTagInfo, the 1.5 hash, and the automatic Full resend after VersionMismatch, Failed
(Differential) or HashError (OCPP 1.5 §5.13, 1.6 §5.15, facts §2.7).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from ocppcert.messages import Op
from ocppcert.reference.central_system import CommandError, ListEntry, LocalListError, list_hash

from .central_system_rig import V12, V15, V16, FakeClock, boot, running_cp, running_cs


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def cs(tmp_path, clock):
    async with running_cs(tmp_path, clock) as system:
        yield system


@pytest.fixture
async def cp(fixture_tools):
    async with running_cp(fixture_tools.sample) as point:
        yield point

A = {"idTag": "A-1", "idTagInfo": {"status": "Accepted"}}
B = {"idTag": "B-2", "idTagInfo": {"status": "Blocked", "expiryDate": "2030-01-01T00:00:00Z",
                                   "parentIdTag": "GRP"}}
C = {"idTag": "C-3", "idTagInfo": {"status": "Accepted", "parentIdTag": "GRP"}}


def sent_list(request) -> list[dict]:
    items = getattr(request, "local_authorization_list", None)
    if items is None:
        items = request.local_authorisation_list
    return [item.to_json() for item in items]


def test_hash_is_sha1_of_the_documented_canonical_lines():
    entries = [ListEntry.from_json(e) for e in (C, A, B)]
    expected = hashlib.sha1(
        b"A-1|Accepted||\nB-2|Blocked|2030-01-01T00:00:00Z|GRP\nC-3|Accepted||GRP").hexdigest()
    assert list_hash(entries) == expected
    assert list_hash([]) == hashlib.sha1(b"").hexdigest()
    # An offset is folded into UTC; a fraction of a second is kept.
    shifted = ListEntry("B-2", "Blocked", dt.datetime.fromisoformat(
        "2030-01-01T01:00:00.250+01:00"), "GRP")
    assert list_hash([shifted]) == hashlib.sha1(
        b"B-2|Blocked|2030-01-01T00:00:00.250000Z|GRP").hexdigest()
    # Whole lines are sorted, case-sensitively: "AB|" sorts before "A|", "B" before "a".
    tricky = [ListEntry("a", "Accepted"), ListEntry("A", "Accepted"), ListEntry("AB", "Invalid")]
    assert list_hash(tricky) == hashlib.sha1(
        b"AB|Invalid||\nA|Accepted||\na|Accepted||").hexdigest()


def test_hash_agrees_with_the_reference_charge_point():
    """The 1.5 hash is ours to define: both reference programs must compute the same one,
    or every 1.5 list update between them ends in HashError."""
    from ocppcert.reference.charge_point.auth import IdTagInfo, local_list_hash

    entries = [ListEntry.from_json(e) for e in (C, A, B)] + [
        ListEntry("a-1", "Expired", dt.datetime(2031, 2, 3, 4, 5, 6, 789000, tzinfo=dt.UTC)),
        ListEntry("AB", "Invalid", dt.datetime(2031, 2, 3, 4, 5, 6), "x")]
    theirs = [(e.id_tag, IdTagInfo(e.status, e.expiry_date, e.parent_id_tag)) for e in entries]
    assert local_list_hash(theirs) == list_hash(entries)
    assert local_list_hash([]) == list_hash([])


@pytest.mark.parametrize("version", [V15, V16], ids=str)
async def test_full_then_differential_with_assigned_versions(version, cs, cp):
    await boot(cp, cs, version)
    first = await cs.send_local_list("CP-1", "Full", [A, B])
    assert (first["listVersion"], first["status"]) == (1, "Accepted") and "resent" not in first
    full = cp.commands(Op.SEND_LOCAL_LIST)[-1]
    assert (full.update_type.value, full.list_version) == ("Full", 1)
    assert sent_list(full) == [A, B]

    # Differential: C added, A removed (no idTagInfo), B replaced.
    b2 = {"idTag": "b-2", "idTagInfo": {"status": "Accepted"}}
    second = await cs.send_local_list("CP-1", "Differential", [C, {"idTag": "A-1"}, b2])
    assert (second["listVersion"], second["status"]) == (2, "Accepted")
    diff = cp.commands(Op.SEND_LOCAL_LIST)[-1]
    assert (diff.update_type.value, diff.list_version) == ("Differential", 2)
    assert sent_list(diff) == [C, {"idTag": "A-1"}, b2]

    state = cs.local_list_state("CP-1")
    assert state["listVersion"] == 2
    assert state["entries"] == [b2, C]
    assert state["acknowledged"]["listVersion"] == 2
    assert state["acknowledged"]["entries"] == [b2, C]
    assert [u["status"] for u in state["updates"]] == ["Accepted", "Accepted"]
    if version is V15:
        assert diff.hash == list_hash(ListEntry.from_json(e) for e in (b2, C)) == state["hash"]
        assert full.hash == list_hash(ListEntry.from_json(e) for e in (A, B))
    else:
        assert not hasattr(diff, "hash")


@pytest.mark.parametrize(("version", "answer"),
                         [(V16, "VersionMismatch"), (V16, "Failed"), (V15, "VersionMismatch"),
                          (V15, "Failed"), (V15, "HashError")])
async def test_a_refused_differential_is_followed_by_the_full_list(version, answer, cs, cp):
    await boot(cp, cs, version)
    await cs.send_local_list("CP-1", "Full", [A])
    cp.list_answers = [answer]
    outcome = await cs.send_local_list("CP-1", "Differential", [B])
    assert outcome["status"] == answer
    assert outcome["resent"]["status"] == "Accepted"
    assert outcome["resent"]["updateType"] == "Full"
    sent = cp.commands(Op.SEND_LOCAL_LIST)
    assert [(r.update_type.value, r.list_version) for r in sent] == [
        ("Full", 1), ("Differential", 2), ("Full", 2)]
    assert sent_list(sent[-1]) == [A, B]
    state = cs.local_list_state("CP-1")
    assert state["acknowledged"]["listVersion"] == 2
    assert [u["automatic"] for u in state["updates"]] == [False, False, True]


async def test_hash_error_on_a_full_update_resends_it_once(cs, cp):
    await boot(cp, cs, V15)
    cp.list_answers = ["HashError", "HashError"]
    outcome = await cs.send_local_list("CP-1", "Full", [A])
    assert (outcome["status"], outcome["resent"]["status"]) == ("HashError", "HashError")
    assert len(cp.commands(Op.SEND_LOCAL_LIST)) == 2  # no endless loop
    assert cs.local_list_state("CP-1")["acknowledged"]["listVersion"] is None


@pytest.mark.parametrize("answer", ["Failed", "NotSupported"])
async def test_no_resend_after_a_refused_full_or_not_supported(answer, cs, cp):
    await boot(cp, cs, V16)
    cp.list_answers = [answer]
    outcome = await cs.send_local_list("CP-1", "Full", [A])
    assert outcome["status"] == answer and "resent" not in outcome
    assert len(cp.commands(Op.SEND_LOCAL_LIST)) == 1
    state = cs.local_list_state("CP-1")
    assert state["listVersion"] == 1 and state["acknowledged"]["listVersion"] is None


async def test_the_15_answer_hash_is_compared(cs, cp):
    await boot(cp, cs, V15)
    cp.list_hash_answer = list_hash([ListEntry.from_json(A)])
    ok = await cs.send_local_list("CP-1", "Full", [A])
    assert ok["hashMatches"] is True
    cp.list_hash_answer = "0" * 40
    odd = await cs.send_local_list("CP-1", "Differential", [B])
    assert (odd["status"], odd["hashMatches"], odd["answeredHash"]) == ("Accepted", False,
                                                                        "0" * 40)


@pytest.mark.parametrize(("update_type", "entries", "complaint"), [
    ("Full", [A, {"idTag": "a-1", "idTagInfo": {"status": "Blocked"}}], "more than once"),
    ("Full", [{"idTag": "A-1"}], "needs idTagInfo"),
    ("Differential", [{"idTag": "X", "idTagInfo": {"status": "ConcurrentTx"}}], "status"),
    ("Differential", [{"idTag": "X" * 21, "idTagInfo": {"status": "Accepted"}}], "20"),
    ("Sideways", [A], "updateType"),
    ("Full", [{"idTag": "X", "idTagInfo": {"status": "Accepted", "expiryDate": "soon"}}],
     "expiryDate"),
])
async def test_bad_updates_are_refused_before_anything_is_sent(update_type, entries, complaint,
                                                               cs, cp):
    await boot(cp, cs, V16)
    with pytest.raises(LocalListError, match=complaint):
        await cs.send_local_list("CP-1", update_type, entries)
    assert cp.commands(Op.SEND_LOCAL_LIST) == []
    assert cs.local_list_state("CP-1")["listVersion"] == 0


async def test_version_12_has_no_local_list(cs, cp):
    await boot(cp, cs, V12)
    with pytest.raises(CommandError) as caught:
        await cs.send_local_list("CP-1", "Full", [A])
    assert caught.value.kind == "unsupported"


async def test_no_answer_leaves_the_list_changed_but_unacknowledged(cs, cp):
    await boot(cp, cs, V16)
    await cp.stop()
    with pytest.raises(CommandError) as caught:
        await cs.send_local_list("CP-1", "Full", [A])
    assert caught.value.kind == "transport"
    state = cs.local_list_state("CP-1")
    assert state["listVersion"] == 1 and state["entries"] == [A]
    assert state["acknowledged"]["listVersion"] is None
    assert state["updates"][0]["error"] and state["updates"][0]["status"] is None


async def test_get_local_list_version_answers_are_recorded(cs, cp):
    await boot(cp, cs, V16)
    cp.list_version = 7
    response = await cs.command("CP-1", (Op.GET_LOCAL_LIST_VERSION, {}))
    assert response.list_version == 7
    assert cs.local_list_state("CP-1")["reported"]["listVersion"] == 7
