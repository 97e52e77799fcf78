"""The reference charge point's local authorisation list and cache, on real SQLite files.

OCPP 1.6 §3.5, §5.4, §5.10, §5.15; OCPP 1.5 local authorisation list (+ hash); OCPP 1.2 cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocppcert.messages.v15 import charge_point as cp15
from ocppcert.messages.v16 import central_system as cs16
from ocppcert.messages.v16 import charge_point as cp16
from ocppcert.reference.charge_point.auth import IdTagInfo, LocalAuthorization, local_list_hash
from ocppcert.reference.db import connect
from ocppcert.versions import OcppVersion

V12, V15, V16 = OcppVersion.V12, OcppVersion.V15, OcppVersion.V16
NOW = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(days=30)
OK = IdTagInfo("Accepted")
BLOCKED = IdTagInfo("Blocked")

UPDATE_STATUS = {V15: cp15.UpdateStatus, V16: cp16.UpdateStatus}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cp.sqlite3"


@pytest.fixture
def db(db_path: Path):
    connection = connect(db_path)
    yield connection
    connection.close()


def full(auth: LocalAuthorization, version: int, *entries: tuple[str, IdTagInfo | None], **kw):
    return auth.apply_send_local_list("Full", version, list(entries), **kw)


def diff(auth: LocalAuthorization, version: int, *entries: tuple[str, IdTagInfo | None], **kw):
    return auth.apply_send_local_list("Differential", version, list(entries), **kw)


def listed(auth: LocalAuthorization) -> dict[str, str]:
    return {id_tag: info.status for id_tag, info in auth.list_entries()}


# -- versions and the "not supported" conventions -------------------------------------------------


@pytest.mark.parametrize(("version", "expected"), [(V12, -1), (V15, 0), (V16, 0)])
def test_fresh_store_reports_list_version(db, version, expected):
    """GetLocalListVersion: 0 = empty list; -1 = no local list (1.2 has no list operations)."""
    assert LocalAuthorization(db, version).list_version() == expected


def test_v12_has_no_local_list_but_a_cache(db):
    auth = LocalAuthorization(db, V12)
    auth.list_enabled = True  # there is no list to enable in 1.2
    assert auth.list_enabled is False
    assert full(auth, 1, ("A", OK)) == ("NotSupported", None)
    assert auth.list_entries() == []
    assert auth.list_hash() is None
    auth.remember("A", IdTagInfo("ConcurrentTx"), now=NOW)
    assert auth.lookup("A", NOW) == (IdTagInfo("Accepted"), "cache")
    assert auth.clear_cache() is True
    assert auth.lookup("A", NOW) == (None, None)


@pytest.mark.parametrize("version", [V15, V16])
def test_disabled_list_is_not_supported_and_not_consulted(db, version):
    auth = LocalAuthorization(db, version)
    assert full(auth, 3, ("A", OK))[0] == "Accepted"
    auth.list_enabled = False
    assert auth.list_version() == -1
    assert full(auth, 4, ("B", OK)) == ("NotSupported", None)
    assert auth.lookup("A", NOW) == (None, None)
    auth.list_enabled = True
    assert auth.list_version() == 3
    assert auth.lookup("A", NOW) == (OK, "list")
    assert listed(auth) == {"A": "Accepted"}


def test_list_supported_false_models_a_charge_point_without_list(db):
    auth = LocalAuthorization(db, V16, list_supported=False)
    auth.list_enabled = True
    assert auth.list_enabled is False
    assert auth.list_version() == -1
    assert full(auth, 1, ("A", OK)) == ("NotSupported", None)


# -- SendLocalList: Full and Differential -------------------------------------------------------


@pytest.mark.parametrize("version", [V15, V16])
def test_full_replaces_the_list_whatever_its_version(db, version):
    auth = LocalAuthorization(db, version)
    assert full(auth, 5, ("A", OK), ("B", BLOCKED))[0] == "Accepted"
    assert auth.list_version() == 5
    assert listed(auth) == {"A": "Accepted", "B": "Blocked"}
    # A Full update need not raise the version (MicroOcpp PR #213).
    assert full(auth, 2, ("C", OK))[0] == "Accepted"
    assert auth.list_version() == 2
    assert listed(auth) == {"C": "Accepted"}
    assert auth.lookup("A", NOW) == (None, None)


@pytest.mark.parametrize("version", [V15, V16])
def test_full_without_entries_empties_the_list_and_reports_0(db, version):
    auth = LocalAuthorization(db, version)
    full(auth, 5, ("A", OK))
    assert full(auth, 6)[0] == "Accepted"
    assert auth.list_entries() == []
    assert auth.list_version() == 0


@pytest.mark.parametrize("version", [V15, V16])
def test_differential_adds_updates_and_deletes(db, version):
    auth = LocalAuthorization(db, version)
    full(auth, 1, ("A", OK), ("B", OK), ("C", OK))
    expiry = LATER
    status, _ = diff(auth, 2, ("A", IdTagInfo("Blocked")), ("B", None), ("D", IdTagInfo(
        "Accepted", expiry, "PARENT")))
    assert status == "Accepted"
    assert auth.list_version() == 2
    assert listed(auth) == {"A": "Blocked", "C": "Accepted", "D": "Accepted"}
    assert auth.lookup("D", NOW) == (IdTagInfo("Accepted", expiry, "PARENT"), "list")
    assert auth.lookup("B", NOW) == (None, None)


@pytest.mark.parametrize("version", [V15, V16])
def test_empty_differential_changes_only_the_version(db, version):
    auth = LocalAuthorization(db, version)
    full(auth, 1, ("A", OK))
    assert diff(auth, 2)[0] == "Accepted"
    assert auth.list_version() == 2
    assert listed(auth) == {"A": "Accepted"}


@pytest.mark.parametrize("version", [V15, V16])
@pytest.mark.parametrize("new_version", [4, 3])
def test_differential_needs_a_higher_version(db, version, new_version):
    auth = LocalAuthorization(db, version)
    full(auth, 4, ("A", OK))
    status, _ = diff(auth, new_version, ("B", OK), ("A", None))
    assert status == "VersionMismatch"
    assert UPDATE_STATUS[version](status)  # a value of this version's enum
    assert auth.list_version() == 4
    assert listed(auth) == {"A": "Accepted"}


@pytest.mark.parametrize("version", [V15, V16])
def test_too_many_entries_in_one_request_fails_atomically(db, version):
    auth = LocalAuthorization(db, version, send_list_max_length=2)
    full(auth, 1, ("A", OK))
    status, _ = full(auth, 2, ("X", OK), ("Y", OK), ("Z", OK))
    assert status == "Failed"
    assert auth.list_version() == 1
    assert listed(auth) == {"A": "Accepted"}
    assert full(auth, 2, ("X", OK), ("Y", OK))[0] == "Accepted"


@pytest.mark.parametrize("version", [V15, V16])
def test_resulting_list_over_max_length_fails_atomically(db, version):
    auth = LocalAuthorization(db, version, list_max_length=3)
    full(auth, 1, ("A", OK), ("B", OK))
    status, _ = diff(auth, 2, ("C", OK), ("D", OK))  # 4 entries would result
    assert status == "Failed"
    assert auth.list_version() == 1
    assert listed(auth) == {"A": "Accepted", "B": "Accepted"}
    # Deleting one in the same update keeps the list within bounds.
    assert diff(auth, 2, ("C", OK), ("D", OK), ("A", None))[0] == "Accepted"
    assert listed(auth) == {"B": "Accepted", "C": "Accepted", "D": "Accepted"}


@pytest.mark.parametrize(
    ("update_type", "version", "entries"),
    [
        ("Full", 2, [("A", OK), ("a", BLOCKED)]),  # idTags must be unique (case-insensitive)
        ("Differential", 2, [("B", OK), ("B", None)]),
        ("Full", 2, [("A", None)]),  # a Full entry needs its IdTagInfo
        ("Full", -1, [("A", OK)]),
        ("Partial", 2, [("A", OK)]),
    ],
)
def test_malformed_updates_fail_and_change_nothing(db, update_type, version, entries):
    auth = LocalAuthorization(db, V16)
    full(auth, 1, ("Z", OK))
    assert auth.apply_send_local_list(update_type, version, entries) == ("Failed", None)
    assert auth.list_version() == 1
    assert listed(auth) == {"Z": "Accepted"}


def test_update_accepts_generated_enums_and_idtaginfo_classes(db):
    auth = LocalAuthorization(db, V16)
    info = cp16.IdTagInfo(status=cp16.AuthorizationStatus.BLOCKED, parent_id_tag="P")
    assert auth.apply_send_local_list(cp16.UpdateType.FULL, 1, [("A", info)]) == ("Accepted", None)
    assert auth.lookup("A", NOW) == (IdTagInfo("Blocked", None, "P"), "list")


# -- lookup: expiry, priority, case ---------------------------------------------------------------


def test_list_entry_past_its_expiry_date_reads_expired(db):
    auth = LocalAuthorization(db, V16)
    full(auth, 1, ("A", IdTagInfo("Accepted", NOW + dt.timedelta(minutes=1))))
    assert auth.lookup("A", NOW)[0].status == "Accepted"
    info, source = auth.lookup("A", NOW + dt.timedelta(minutes=1))
    assert (info.status, info.expiry_date, source) == ("Expired", NOW + dt.timedelta(minutes=1),
                                                       "list")


def test_cache_entry_past_its_expiry_date_is_marked_expired(db_path):
    db = connect(db_path)
    auth = LocalAuthorization(db, V16)
    auth.remember("A", IdTagInfo("Accepted", NOW), now=NOW - dt.timedelta(hours=1))
    assert auth.lookup("A", NOW - dt.timedelta(seconds=1))[0].status == "Accepted"
    assert auth.lookup("A", NOW)[0].status == "Expired"
    db.close()
    connection = connect(db_path)
    try:
        # Marked in the store itself, not only in the answer.
        reopened = LocalAuthorization(connection, V16)
        assert reopened.cache_entries()[0][1].status == "Expired"
    finally:
        connection.close()


def test_idtags_match_case_insensitively(db):
    auth = LocalAuthorization(db, V16)
    full(auth, 1, ("abc123", OK))
    assert auth.lookup("ABC123", NOW) == (OK, "list")
    auth.remember("TAG", BLOCKED, now=NOW)
    assert auth.lookup("tag", NOW) == (BLOCKED, "cache")


def test_v16_list_has_priority_and_list_ids_are_never_cached(db):
    auth = LocalAuthorization(db, V16)
    auth.remember("A", OK, now=NOW)
    assert auth.lookup("A", NOW) == (OK, "cache")
    diff(auth, 1, ("A", BLOCKED))
    assert auth.lookup("A", NOW) == (BLOCKED, "list")
    # Adding an id to the list drops its cache entry; later confirmations do not cache it.
    assert auth.cache_entries() == []
    auth.remember("A", OK, now=NOW)
    assert auth.cache_entries() == []
    assert auth.lookup("A", NOW) == (BLOCKED, "list")
    # While the list is disabled, its entries are not used.
    auth.list_enabled = False
    assert auth.lookup("A", NOW) == (None, None)


def test_v16_conflict_between_list_and_central_system(db):
    auth = LocalAuthorization(db, V16)
    full(auth, 1, ("A", OK), ("B", BLOCKED))
    assert auth.is_conflict("A", cs16.IdTagInfo(status=cs16.AuthorizationStatus.INVALID), NOW)
    assert auth.is_conflict("B", OK, NOW)
    assert not auth.is_conflict("A", IdTagInfo("ConcurrentTx"), NOW)
    assert not auth.is_conflict("C", BLOCKED, NOW)


# -- the cache -----------------------------------------------------------------------------------


def test_disabled_cache_neither_learns_nor_answers(db):
    auth = LocalAuthorization(db, V16)
    auth.remember("A", OK, now=NOW)
    auth.cache_enabled = False
    assert auth.lookup("A", NOW) == (None, None)
    auth.remember("B", OK, now=NOW)
    auth.cache_enabled = True
    assert auth.lookup("A", NOW) == (OK, "cache")
    assert auth.lookup("B", NOW) == (None, None)


def test_cache_keeps_latest_info_and_not_valid_entries(db):
    auth = LocalAuthorization(db, V16)
    auth.remember("A", OK, now=NOW)
    auth.remember("A", IdTagInfo("Invalid"), now=NOW)
    assert auth.lookup("A", NOW) == (IdTagInfo("Invalid"), "cache")
    auth.remember("B", IdTagInfo("ConcurrentTx"), now=NOW)  # stored as is in 1.6
    assert auth.lookup("B", NOW) == (IdTagInfo("ConcurrentTx"), "cache")


def test_full_cache_evicts_not_valid_first_then_oldest(db):
    auth = LocalAuthorization(db, V16, cache_max_length=3)
    auth.remember("A", OK, now=NOW)
    auth.remember("B", BLOCKED, now=NOW)
    auth.remember("C", OK, now=NOW)
    auth.remember("D", OK, now=NOW)
    assert [i for i, _ in auth.cache_entries()] == ["A", "C", "D"]  # B was not valid
    auth.remember("A", OK, now=NOW)  # refreshed: now the newest, and no eviction
    assert [i for i, _ in auth.cache_entries()] == ["C", "D", "A"]
    auth.remember("E", OK, now=NOW)
    assert [i for i, _ in auth.cache_entries()] == ["D", "A", "E"]  # C was the oldest
    # An entry expired by date counts as not valid.
    auth.remember("A", IdTagInfo("Accepted", NOW - dt.timedelta(seconds=1)), now=NOW)
    auth.remember("F", OK, now=NOW)
    assert [i for i, _ in auth.cache_entries()] == ["D", "E", "F"]


def test_clear_cache_keeps_the_v16_list(db):
    auth = LocalAuthorization(db, V16)
    full(auth, 7, ("L", OK))
    auth.remember("C", OK, now=NOW)
    assert auth.clear_cache() is True
    assert auth.cache_entries() == []
    assert auth.lookup("C", NOW) == (None, None)
    assert auth.lookup("L", NOW) == (OK, "list")
    assert auth.list_version() == 7


def test_clear_cache_rejected_without_a_cache(db):
    auth = LocalAuthorization(db, V16, cache_supported=False)
    assert auth.cache_enabled is False
    auth.remember("A", OK, now=NOW)
    assert auth.lookup("A", NOW) == (None, None)
    assert auth.clear_cache() is False


def test_remember_accepts_generated_idtaginfo(db):
    auth = LocalAuthorization(db, V16)
    expiry = dt.datetime(2030, 1, 1, 0, 0)  # naive: taken as UTC
    auth.remember("A", cs16.IdTagInfo(status=cs16.AuthorizationStatus.ACCEPTED,
                                      expiry_date=expiry, parent_id_tag="P"), now=NOW)
    info, _ = auth.lookup("A", NOW)
    assert info == IdTagInfo("Accepted", expiry.replace(tzinfo=dt.timezone.utc), "P")
    message = info.to_message(cp16.IdTagInfo)
    assert isinstance(message, cp16.IdTagInfo)
    assert message.to_json() == {"status": "Accepted", "expiryDate": "2030-01-01T00:00:00Z",
                                 "parentIdTag": "P"}


def test_idtaginfo_rejects_unknown_status():
    with pytest.raises(ValueError):
        IdTagInfo("Maybe")


# -- OCPP 1.5: one structure, hash, HashError ------------------------------------------------------


def test_v15_stores_concurrent_tx_as_accepted(db):
    auth = LocalAuthorization(db, V15)
    auth.remember("A", IdTagInfo("ConcurrentTx", LATER), now=NOW)
    assert auth.lookup("A", NOW) == (IdTagInfo("Accepted", LATER), "list")


def test_v15_list_doubles_as_cache(db):
    auth = LocalAuthorization(db, V15)
    full(auth, 1, ("A", OK), ("B", OK))
    synced_hash = auth.list_hash()
    # A confirmation updates the one list, even for entries the Central System put there.
    auth.remember("A", BLOCKED, now=NOW)
    assert auth.lookup("A", NOW) == (BLOCKED, "list")
    auth.remember("N", OK, now=NOW)
    assert auth.lookup("N", NOW) == (OK, "list")
    assert auth.list_hash() == synced_hash  # the hash covers what was synchronised
    # The Central System's newer word replaces what was learned about an identifier.
    diff(auth, 2, ("A", IdTagInfo("Invalid")))
    assert auth.lookup("A", NOW) == (IdTagInfo("Invalid"), "list")
    # ClearCache forgets what was learned, keeps the synchronised entries and their version.
    assert auth.clear_cache() is True
    assert auth.lookup("N", NOW) == (None, None)
    assert auth.lookup("B", NOW) == (OK, "list")
    assert auth.list_version() == 2
    # A Full update replaces the whole structure, learned entries included.
    auth.remember("M", OK, now=NOW)
    full(auth, 3, ("B", BLOCKED))
    assert auth.lookup("M", NOW) == (None, None)
    assert auth.lookup("B", NOW) == (BLOCKED, "list")


def test_local_list_hash_is_the_documented_sha1():
    expiry = dt.datetime(2030, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    entries = [("B", IdTagInfo("Accepted", expiry, "P")), ("A", BLOCKED), ("GONE", None)]
    text = "A|Blocked||\nB|Accepted|2029-12-31T22:00:00Z|P"
    assert local_list_hash(entries) == hashlib.sha1(text.encode()).hexdigest()
    assert len(local_list_hash(entries)) == 40  # fits the 1.5 string[64]
    assert local_list_hash([]) == hashlib.sha1(b"").hexdigest()


def test_v15_answers_its_hash_and_accepts_a_matching_one(db):
    auth = LocalAuthorization(db, V15)
    entries = [("A", OK), ("B", IdTagInfo("Blocked", LATER))]
    expected = local_list_hash(entries)
    assert full(auth, 1, *entries, list_hash=expected) == ("Accepted", expected)
    assert auth.list_hash() == expected
    after = local_list_hash([("A", OK), ("B", IdTagInfo("Blocked", LATER)), ("C", OK)])
    assert diff(auth, 2, ("C", OK), list_hash=after) == ("Accepted", after)


def test_v15_hash_error_keeps_the_old_list(db):
    auth = LocalAuthorization(db, V15)
    full(auth, 1, ("A", OK))
    before = auth.list_hash()
    status, answered = diff(auth, 2, ("B", OK), list_hash="0" * 40)
    assert status == "HashError"
    assert cp15.UpdateStatus(status) is cp15.UpdateStatus.HASH_ERROR
    assert answered == before
    assert auth.list_version() == 1
    assert listed(auth) == {"A": "Accepted"}
    status, _ = full(auth, 9, ("X", OK), list_hash="not ours")
    assert status == "HashError"
    assert listed(auth) == {"A": "Accepted"}


def test_v16_has_no_hash(db):
    auth = LocalAuthorization(db, V16)
    assert full(auth, 1, ("A", OK), list_hash="ignored") == ("Accepted", None)
    assert auth.list_hash() is None


tags = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)
infos = st.builds(
    IdTagInfo,
    status=st.sampled_from(["Accepted", "Blocked", "Expired", "Invalid"]),
    expiry_date=st.none() | st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
        timezones=st.just(dt.timezone.utc),
    ),
    parent_id_tag=st.none() | tags,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=st.dictionaries(tags, infos, max_size=12), seed=st.integers(0, 2**32))
def test_full_then_hash_is_independent_of_entry_order(tmp_path_factory, entries, seed):
    """Property: the same list sent in any order yields the same 1.5 hash as local_list_hash."""
    items = list(entries.items())
    shuffled = items[:]
    random.Random(seed).shuffle(shuffled)
    assert local_list_hash(items) == local_list_hash(shuffled)
    hashes = []
    for order in (items, shuffled):
        path = tmp_path_factory.mktemp("hash") / "cp.sqlite3"
        connection = connect(path)
        try:
            auth = LocalAuthorization(connection, V15)
            status, answered = auth.apply_send_local_list("Full", 1, order)
            assert status == "Accepted"
            hashes.append(answered)
        finally:
            connection.close()
    assert hashes[0] == hashes[1] == local_list_hash(items)


# -- persistence and transactions ------------------------------------------------------------------


@pytest.mark.parametrize("version", [V15, V16])
def test_everything_survives_a_new_instance_on_the_same_file(db_path, version):
    first = connect(db_path)
    auth = LocalAuthorization(first, version)
    full(auth, 4, ("A", IdTagInfo("Accepted", LATER, "P")), ("B", BLOCKED))
    auth.remember("C", IdTagInfo("Invalid"), now=NOW)
    auth.cache_enabled = False
    first.close()

    second = connect(db_path)
    again = LocalAuthorization(second, version)
    assert again.list_version() == 4
    assert again.lookup("A", NOW) == (IdTagInfo("Accepted", LATER, "P"), "list")
    assert again.cache_enabled is False
    again.cache_enabled = True
    expected_source = "list" if version is V15 else "cache"
    assert again.lookup("C", NOW) == (IdTagInfo("Invalid"), expected_source)
    again.list_enabled = False
    second.close()
    third = connect(db_path)
    try:
        assert LocalAuthorization(third, version).list_enabled is False
    finally:
        third.close()


def test_changes_inside_a_callers_transaction_roll_back_with_it(db):
    auth = LocalAuthorization(db, V16)
    full(auth, 1, ("A", OK))
    db.execute("BEGIN")
    assert diff(auth, 2, ("B", OK))[0] == "Accepted"
    auth.remember("C", OK, now=NOW)
    assert auth.lookup("B", NOW) == (OK, "list")
    db.execute("ROLLBACK")
    assert auth.list_version() == 1
    assert listed(auth) == {"A": "Accepted"}
    assert auth.cache_entries() == []


# -- a failing list storage (OCTT TC_043_3) ------------------------------------------------------


@pytest.mark.parametrize("version", [V15, V16])
def test_a_failing_storage_answers_failed_and_keeps_the_list(db, version):
    auth = LocalAuthorization(db, version)
    assert full(auth, 1, ("A", OK))[0] == "Accepted"
    auth.storage_failing = True
    assert full(auth, 2, ("B", OK))[0] == "Failed"
    assert diff(auth, 3, ("C", OK))[0] == "Failed"
    assert listed(auth) == {"A": "Accepted"} and auth.list_version() == 1
    auth.storage_failing = False
    assert diff(auth, 2, ("C", OK))[0] == "Accepted"
    assert listed(auth) == {"A": "Accepted", "C": "Accepted"}
