"""The reference charge point's OCPP 1.6 smart charging, on real SQLite files.

OCPP 1.6 §3.13 (profiles, stacking, kinds), §5.5 ClearChargingProfile, §5.7 GetCompositeSchedule,
§5.16 SetChargingProfile. Expected composite schedules are computed by hand in each test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocppcert.messages.v16.charge_point import (
    ChargingProfile,
    ChargingProfileKindType,
    ChargingProfilePurposeType,
    ChargingRateUnitType,
    ChargingSchedule,
    ChargingSchedulePeriod,
    GetCompositeScheduleResponse,
    GetCompositeScheduleStatus,
    RecurrencyKindType,
    SetChargingProfileRequest,
)
from ocppcert.reference.charge_point.smart_charging import ChargingProfiles
from ocppcert.reference.db import connect

NOW = dt.datetime(2024, 1, 3, 10, 0, tzinfo=dt.timezone.utc)
MAX = "ChargePointMaxProfile"
DEFAULT = "TxDefaultProfile"
TX = "TxProfile"


def seconds(n: int) -> dt.timedelta:
    return dt.timedelta(seconds=n)


def profile(
    pid: int,
    purpose: str,
    stack: int,
    periods: list[tuple[int, float | int] | tuple[int, float | int, int]],
    *,
    kind: str = "Absolute",
    start: dt.datetime | None = NOW,
    duration: int | None = None,
    unit: str = "A",
    recurrency: str | None = None,
    valid_from: dt.datetime | None = None,
    valid_to: dt.datetime | None = None,
    transaction_id: int | None = None,
) -> ChargingProfile:
    return ChargingProfile(
        charging_profile_id=pid,
        transaction_id=transaction_id,
        stack_level=stack,
        charging_profile_purpose=ChargingProfilePurposeType(purpose),
        charging_profile_kind=ChargingProfileKindType(kind),
        recurrency_kind=RecurrencyKindType(recurrency) if recurrency else None,
        valid_from=valid_from,
        valid_to=valid_to,
        charging_schedule=ChargingSchedule(
            duration=duration,
            start_schedule=start,
            charging_rate_unit=ChargingRateUnitType(unit),
            charging_schedule_period=[
                ChargingSchedulePeriod(
                    start_period=p[0],
                    limit=Decimal(str(p[1])),
                    number_phases=p[2] if len(p) > 2 else None,
                )
                for p in periods
            ],
        ),
    )


def periods_of(schedule: ChargingSchedule) -> list[tuple]:
    return [
        (p.start_period, p.limit) if p.number_phases is None
        else (p.start_period, p.limit, p.number_phases)
        for p in schedule.charging_schedule_period
    ]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cp.sqlite3"


@pytest.fixture
def db(db_path: Path):
    connection = connect(db_path)
    yield connection
    connection.close()


@pytest.fixture
def sc(db) -> ChargingProfiles:
    return ChargingProfiles(db, connectors=2, max_stack_level=5, max_periods=4)


def ids(sc: ChargingProfiles) -> list[int]:
    return [item.profile_id for item in sc.installed()]


# -- SetChargingProfile: what is Rejected ---------------------------------------------------------


REJECTED_CASES = {
    "max profile on a connector": (1, profile(1, MAX, 0, [(0, 10)]), None),
    "relative max profile": (0, profile(1, MAX, 0, [(0, 10)], kind="Relative", start=None), None),
    "tx profile on connector 0": (0, profile(1, TX, 0, [(0, 10)]), 7),
    "tx profile without transaction": (1, profile(1, TX, 0, [(0, 10)]), None),
    "tx profile for another transaction": (1, profile(1, TX, 0, [(0, 10)], transaction_id=8), 7),
    "transactionId in a default profile": (1, profile(1, DEFAULT, 0, [(0, 10)],
                                                      transaction_id=7), 7),
    "unknown connector": (3, profile(1, DEFAULT, 0, [(0, 10)]), None),
    "negative connector": (-1, profile(1, DEFAULT, 0, [(0, 10)]), None),
    "stack level above max": (1, profile(1, DEFAULT, 6, [(0, 10)]), None),
    "negative stack level": (1, profile(1, DEFAULT, -1, [(0, 10)]), None),
    "too many periods": (1, profile(1, DEFAULT, 0, [(0, 1), (10, 2), (20, 3), (30, 4), (40, 5)]),
                         None),
    "first period not at 0": (1, profile(1, DEFAULT, 0, [(5, 10)]), None),
    "periods not increasing": (1, profile(1, DEFAULT, 0, [(0, 10), (60, 8), (60, 6)]), None),
    "negative limit": (1, profile(1, DEFAULT, 0, [(0, -1)]), None),
    "four phases": (1, profile(1, DEFAULT, 0, [(0, 10, 4)]), None),
    "negative duration": (1, profile(1, DEFAULT, 0, [(0, 10)], duration=-5), None),
    "recurring without kind": (1, profile(1, DEFAULT, 0, [(0, 10)], kind="Recurring"), None),
    "recurring without start": (1, profile(1, DEFAULT, 0, [(0, 10)], kind="Recurring",
                                           recurrency="Daily", start=None), None),
    "validTo before validFrom": (1, profile(1, DEFAULT, 0, [(0, 10)], valid_from=NOW,
                                            valid_to=NOW - seconds(1)), None),
}


@pytest.mark.parametrize(("connector", "charging_profile", "tx"), REJECTED_CASES.values(),
                         ids=REJECTED_CASES.keys())
def test_set_profile_rejects(sc, connector, charging_profile, tx):
    assert sc.set_profile(connector, charging_profile, transaction_id=tx) == "Rejected"
    assert sc.installed() == []


def test_unit_outside_allowed_units_is_rejected(db):
    sc = ChargingProfiles(db, connectors=1, allowed_units=("Current",))
    assert sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 7000)], unit="W"),
                          transaction_id=None) == "Rejected"
    assert sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)], unit="A"),
                          transaction_id=None) == "Accepted"


def test_tx_profile_accepted_on_the_transactions_connector(sc):
    assert sc.set_profile(1, profile(1, TX, 0, [(0, 10)], transaction_id=7),
                          transaction_id=7) == "Accepted"
    assert sc.set_profile(2, profile(2, TX, 0, [(0, 12)]), transaction_id=9) == "Accepted"
    assert [(i.profile_id, i.connector_id, i.transaction_id) for i in sc.installed()] == [
        (1, 1, 7), (2, 2, 9)]


def test_max_and_default_profiles_accepted_where_they_belong(sc):
    assert sc.set_profile(0, profile(1, MAX, 0, [(0, 32)]), transaction_id=None) == "Accepted"
    assert sc.set_profile(0, profile(2, DEFAULT, 0, [(0, 16)]), transaction_id=None) == "Accepted"
    # A default profile on a busy connector is not tied to the transaction.
    assert sc.set_profile(1, profile(3, DEFAULT, 0, [(0, 16)]), transaction_id=5) == "Accepted"
    assert [i.transaction_id for i in sc.installed()] == [None, None, None]


def test_set_profile_takes_the_request_field_as_sent(sc):
    request = SetChargingProfileRequest.from_element(SetChargingProfileRequest(
        connector_id=1, cs_charging_profiles=profile(1, DEFAULT, 0, [(0, 16)])).to_element())
    assert sc.set_profile(request.connector_id, request.cs_charging_profiles,
                          transaction_id=None) == "Accepted"
    assert sc.set_profile(1, profile(2, DEFAULT, 1, [(0, 8)]).to_json(),
                          transaction_id=None) == "Accepted"
    assert sc.set_profile(1, {"chargingProfileId": "x"}, transaction_id=None) == "Rejected"
    assert ids(sc) == [1, 2]


# -- replacement and capacity --------------------------------------------------------------------


def test_same_profile_id_replaces(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)]), transaction_id=None)
    assert sc.set_profile(0, profile(1, MAX, 3, [(0, 20)]), transaction_id=None) == "Accepted"
    [only] = sc.installed()
    assert (only.connector_id, only.purpose, only.stack_level) == (0, MAX, 3)


def test_same_purpose_and_stack_level_on_the_connector_replaces(sc):
    sc.set_profile(1, profile(1, DEFAULT, 2, [(0, 16)]), transaction_id=None)
    sc.set_profile(2, profile(2, DEFAULT, 2, [(0, 16)]), transaction_id=None)  # other connector
    sc.set_profile(1, profile(3, DEFAULT, 1, [(0, 16)]), transaction_id=None)  # other level
    assert sc.set_profile(1, profile(4, DEFAULT, 2, [(0, 6)]), transaction_id=None) == "Accepted"
    assert ids(sc) == [2, 3, 4]
    assert sc.limit_at(1, NOW) == (Decimal(6), "A")


def test_max_installed_profiles(db):
    sc = ChargingProfiles(db, connectors=2, max_installed=2)
    assert sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)]), transaction_id=None) == "Accepted"
    assert sc.set_profile(2, profile(2, DEFAULT, 0, [(0, 16)]), transaction_id=None) == "Accepted"
    assert sc.set_profile(1, profile(3, DEFAULT, 1, [(0, 16)]), transaction_id=None) == "Rejected"
    # Replacing one when full is fine.
    assert sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 10)]), transaction_id=None) == "Accepted"
    assert sc.set_profile(2, profile(4, DEFAULT, 0, [(0, 10)]), transaction_id=None) == "Accepted"
    assert ids(sc) == [1, 4]


# -- ClearChargingProfile and the end of a transaction ------------------------------------------


@pytest.fixture
def stocked(sc) -> ChargingProfiles:
    sc.set_profile(0, profile(1, MAX, 0, [(0, 32)]), transaction_id=None)
    sc.set_profile(0, profile(2, DEFAULT, 0, [(0, 16)]), transaction_id=None)
    sc.set_profile(1, profile(3, DEFAULT, 1, [(0, 16)]), transaction_id=None)
    sc.set_profile(1, profile(4, TX, 1, [(0, 10)]), transaction_id=7)
    sc.set_profile(2, profile(5, TX, 0, [(0, 10)]), transaction_id=8)
    return sc


@pytest.mark.parametrize(
    ("criteria", "left"),
    [
        ({"profile_id": 3}, [1, 2, 4, 5]),
        ({"profile_id": 3, "connector_id": 2, "purpose": MAX}, [1, 2, 4, 5]),  # id wins
        ({"connector_id": 1}, [1, 2, 5]),
        ({"connector_id": 0}, [3, 4, 5]),
        ({"purpose": DEFAULT}, [1, 4, 5]),
        ({"purpose": ChargingProfilePurposeType.TXPROFILE}, [1, 2, 3]),
        ({"stack_level": 1}, [1, 2, 5]),
        ({"connector_id": 1, "purpose": TX, "stack_level": 1}, [1, 2, 3, 5]),
        ({}, []),
    ],
)
def test_clear_by_id_or_by_all_given_criteria(stocked, criteria, left):
    assert stocked.clear(**criteria) == "Accepted"
    assert ids(stocked) == left


@pytest.mark.parametrize(
    "criteria",
    [{"profile_id": 99}, {"connector_id": 2, "purpose": DEFAULT}, {"stack_level": 5}],
)
def test_clear_nothing_matched_is_unknown(stocked, criteria):
    assert stocked.clear(**criteria) == "Unknown"
    assert ids(stocked) == [1, 2, 3, 4, 5]


def test_clear_on_an_empty_store_is_unknown(sc):
    assert sc.clear() == "Unknown"


def test_tx_profiles_end_with_their_transaction(stocked):
    stocked.transaction_ended(7)
    assert ids(stocked) == [1, 2, 3, 5]
    stocked.transaction_ended(123)
    assert ids(stocked) == [1, 2, 3, 5]


# -- composite schedules ---------------------------------------------------------------------------


def test_stacked_default_profiles(sc):
    """Like OCTT TC_072: stack level 1 for 150 s over stack level 0 for 400 s."""
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6), (100, 8), (200, 10)], duration=400),
                   transaction_id=None)
    sc.set_profile(1, profile(2, DEFAULT, 1, [(0, 6), (40, 7), (100, 8)], duration=150),
                   transaction_id=None)
    schedule = sc.composite_schedule(1, 400, "A", NOW)
    # 0-40 level 1: 6; 40-100: 7; 100-150: 8; 150-200 level 0: 8 (merged); 200-400: 10.
    assert periods_of(schedule) == [(0, 6), (40, 7), (100, 8), (200, 10)]
    assert schedule.start_schedule == NOW
    assert schedule.duration == 400
    assert schedule.charging_rate_unit is ChargingRateUnitType.A


def test_composite_starts_now_inside_a_running_schedule(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6), (100, 8), (200, 10)],
                              start=NOW - seconds(150)), transaction_id=None)
    schedule = sc.composite_schedule(1, 300, "A", NOW + dt.timedelta(microseconds=700))
    assert schedule.start_schedule == NOW  # whole seconds
    assert periods_of(schedule) == [(0, 8), (50, 10)]


def test_tx_profile_overrules_default_even_at_lower_stack_level(sc):
    sc.set_profile(1, profile(1, DEFAULT, 5, [(0, 16)]), transaction_id=None)
    sc.set_profile(1, profile(2, TX, 0, [(0, 10), (60, 12)], duration=120), transaction_id=7)
    schedule = sc.composite_schedule(1, 300, "A", NOW, transaction_id=7)
    assert periods_of(schedule) == [(0, 10), (60, 12), (120, 16)]
    # Another transaction's view ignores that TxProfile.
    assert periods_of(sc.composite_schedule(1, 300, "A", NOW, transaction_id=8)) == [(0, 16)]
    # The profile's transaction ends: back to the default.
    sc.transaction_ended(7)
    assert periods_of(sc.composite_schedule(1, 300, "A", NOW)) == [(0, 16)]


def test_charge_point_max_profile_caps_the_connector(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)]), transaction_id=None)
    sc.set_profile(0, profile(2, MAX, 0, [(0, 10), (200, 20)], start=NOW + seconds(100)),
                   transaction_id=None)
    schedule = sc.composite_schedule(1, 400, "A", NOW)
    # 0-100: 16 (no cap yet); 100-300: min(16, 10) = 10; 300-: min(16, 20) = 16.
    assert periods_of(schedule) == [(0, 16), (100, 10), (300, 16)]
    assert sc.limit_at(1, NOW + seconds(150)) == (Decimal(10), "A")


def test_connector_zero_reports_the_charge_point_limit(sc):
    sc.set_profile(0, profile(1, MAX, 0, [(0, 40), (60, 30)]), transaction_id=None)
    sc.set_profile(0, profile(2, DEFAULT, 0, [(0, 6)]), transaction_id=None)
    sc.set_profile(1, profile(3, TX, 0, [(0, 5)]), transaction_id=7)
    assert periods_of(sc.composite_schedule(0, 120, "A", NOW)) == [(0, 40), (60, 30)]
    # The connector-0 default profile applies to connector 2, capped by the maximum.
    assert periods_of(sc.composite_schedule(2, 120, "A", NOW)) == [(0, 6)]


def test_connector_default_beats_connector_zero_default_at_the_same_level(sc):
    sc.set_profile(0, profile(1, DEFAULT, 1, [(0, 20)]), transaction_id=None)
    sc.set_profile(1, profile(2, DEFAULT, 1, [(0, 12)]), transaction_id=None)
    assert sc.limit_at(1, NOW) == (Decimal(12), "A")
    assert sc.limit_at(2, NOW) == (Decimal(20), "A")
    sc.set_profile(0, profile(3, DEFAULT, 2, [(0, 25)]), transaction_id=None)
    assert sc.limit_at(1, NOW) == (Decimal(25), "A")  # a higher level wins wherever it is set


def test_valid_from_and_valid_to_bound_a_profile(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)]), transaction_id=None)
    sc.set_profile(1, profile(2, DEFAULT, 1, [(0, 8)], start=NOW - seconds(3600),
                              valid_from=NOW + seconds(60), valid_to=NOW + seconds(120)),
                   transaction_id=None)
    assert periods_of(sc.composite_schedule(1, 300, "A", NOW)) == [(0, 16), (60, 8), (120, 16)]


def test_daily_recurring_profile(sc):
    midnight = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6), (8 * 3600, 16), (20 * 3600, 8)],
                              kind="Recurring", recurrency="Daily", start=midnight),
                   transaction_id=None)
    # NOW is 10:00: 16 A until 20:00 (+36000 s), 8 A until midnight (+50400 s), 6 A until
    # 08:00 (+79200 s), then 16 A again.
    schedule = sc.composite_schedule(1, 86400, "A", NOW)
    assert periods_of(schedule) == [(0, 16), (36000, 8), (50400, 6), (79200, 16)]


def test_daily_recurring_profile_with_a_duration_leaves_gaps(db):
    sc = ChargingProfiles(db, connectors=1, max_current=32)
    midnight = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6)], kind="Recurring", recurrency="Daily",
                              start=midnight + dt.timedelta(hours=9), duration=7200),
                   transaction_id=None)
    # 09:00-11:00 every day; NOW is 10:00.
    assert periods_of(sc.composite_schedule(1, 86400, "A", NOW)) == [
        (0, 6), (3600, 32), (82800, 6)]
    # Recurrence also runs before startSchedule (decision documented in the module).
    assert sc.limit_at(1, midnight - dt.timedelta(days=3, hours=-10)) == (Decimal(6), "A")


def test_weekly_recurring_profile(sc):
    monday = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)  # a Monday
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 10), (2 * 86400, 20)], kind="Recurring",
                              recurrency="Weekly", start=monday), transaction_id=None)
    assert sc.limit_at(1, monday + dt.timedelta(days=7, hours=1)) == (Decimal(10), "A")
    assert sc.limit_at(1, monday + dt.timedelta(days=9, hours=1)) == (Decimal(20), "A")
    # NOW is Wednesday 10:00 (day 2): 20 A until next Monday 00:00.
    until_monday = (monday + dt.timedelta(days=7) - NOW).total_seconds()
    assert periods_of(sc.composite_schedule(1, 7 * 86400, "A", NOW)) == [
        (0, 20), (int(until_monday), 10), (int(until_monday) + 2 * 86400, 20)]


def test_relative_profile_counts_from_the_transaction_start(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 10), (300, 16)], kind="Relative", start=None),
                   transaction_id=None)
    started = NOW - seconds(100)
    schedule = sc.composite_schedule(1, 600, "A", NOW, transaction_id=7,
                                     transaction_start=started)
    assert periods_of(schedule) == [(0, 10), (200, 16)]
    # Without a transaction: as for a transaction starting now.
    assert periods_of(sc.composite_schedule(1, 600, "A", NOW)) == [(0, 10), (300, 16)]
    assert sc.limit_at(1, NOW + seconds(250), transaction_start=started) == (Decimal(16), "A")


def test_absolute_profile_without_start_schedule_is_relative_to_the_transaction(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 10), (60, 14)], start=None),
                   transaction_id=None)
    schedule = sc.composite_schedule(1, 120, "A", NOW, transaction_start=NOW - seconds(30))
    assert periods_of(schedule) == [(0, 10), (30, 14)]


def test_gaps_are_filled_with_the_hardware_limit(db):
    sc = ChargingProfiles(db, connectors=1, max_current=25)
    assert periods_of(sc.composite_schedule(1, 60, "A", NOW)) == [(0, 25)]
    assert sc.limit_at(1, NOW) is None
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6)], start=NOW + seconds(10), duration=20),
                   transaction_id=None)
    assert periods_of(sc.composite_schedule(1, 60, "A", NOW)) == [(0, 25), (10, 6), (30, 25)]
    single_phase = ChargingProfiles(db, connectors=1, max_current=16, phases=1)
    single_phase.clear()
    assert periods_of(single_phase.composite_schedule(1, 60, "W", NOW)) == [(0, 3680, 1)]


def test_composite_converts_between_amperes_and_watts(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6900), (60, 4000), (120, 3680, 1)], unit="W"),
                   transaction_id=None)
    # 230 V: 6900 W / (230 V × 3) = 10 A; 4000 W / 690 = 5.797 → 5.7 (rounded down);
    # 3680 W / 230 V on one phase = 16 A.
    assert periods_of(sc.composite_schedule(1, 180, "A", NOW)) == [
        (0, Decimal("10.0")), (60, Decimal("5.7")), (120, Decimal("16.0"), 1)]
    assert periods_of(sc.composite_schedule(1, 180, "W", NOW)) == [
        (0, 6900), (60, 4000), (120, 3680, 1)]
    sc.clear()
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16), (60, 16, 1)]), transaction_id=None)
    assert periods_of(sc.composite_schedule(1, 120, "W", NOW)) == [(0, 11040), (60, 3680, 1)]


def test_mixed_units_take_the_minimum_in_one_unit(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 16)]), transaction_id=None)  # 11040 W
    sc.set_profile(0, profile(2, MAX, 0, [(0, 6900), (60, 22080)], unit="W"),
                   transaction_id=None)
    assert periods_of(sc.composite_schedule(1, 120, "A", NOW)) == [(0, Decimal("10.0")), (60, 16)]
    assert periods_of(sc.composite_schedule(1, 120, "W", NOW)) == [(0, 6900), (60, 11040)]
    assert sc.limit_at(1, NOW) == (Decimal(6900), "W")


def test_composite_without_unit_uses_the_first_limits_unit(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 7000)], unit="W", start=NOW + seconds(30)),
                   transaction_id=None)
    schedule = sc.composite_schedule(1, 60, None, NOW)
    assert schedule.charging_rate_unit is ChargingRateUnitType.W
    assert periods_of(schedule) == [(0, 22080), (30, 7000)]  # hardware 32 A × 690 V first


@pytest.mark.parametrize(("connector", "duration", "unit"), [(3, 60, "A"), (-1, 60, "A"),
                                                             (1, 0, "A"), (1, 60, "kW")])
def test_composite_rejects_what_it_cannot_report(sc, connector, duration, unit):
    assert sc.composite_schedule(connector, duration, unit, NOW) is None


def test_composite_fits_the_response_message(sc):
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, 6900), (60, 4000)], unit="W"),
                   transaction_id=None)
    schedule = sc.composite_schedule(1, 120, ChargingRateUnitType.A, NOW)
    response = GetCompositeScheduleResponse(
        status=GetCompositeScheduleStatus.ACCEPTED, connector_id=1, schedule_start=NOW,
        charging_schedule=schedule)
    again = GetCompositeScheduleResponse.from_element(response.to_element())
    assert periods_of(again.charging_schedule) == [(0, Decimal("10.0")), (60, Decimal("5.7"))]


# -- persistence ---------------------------------------------------------------------------------


def test_profiles_survive_a_new_instance_on_the_same_file(db_path):
    first = connect(db_path)
    sc = ChargingProfiles(first, connectors=2)
    sc.set_profile(1, profile(1, DEFAULT, 0, [(0, "6.1"), (30, 8)]), transaction_id=None)
    sc.set_profile(1, profile(2, TX, 0, [(0, 5)]), transaction_id=7)
    first.close()
    second = connect(db_path)
    try:
        again = ChargingProfiles(second, connectors=2)
        assert ids(again) == [1, 2]
        assert periods_of(again.composite_schedule(1, 60, "A", NOW)) == [(0, 5)]
        again.transaction_ended(7)
        assert periods_of(again.composite_schedule(1, 60, "A", NOW)) == [
            (0, Decimal("6.1")), (30, 8)]
    finally:
        second.close()


# -- properties ----------------------------------------------------------------------------------


def step_periods(max_start: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    """Schedules of 1-4 periods: start 0, strictly increasing starts, whole-ampere limits."""
    return st.lists(st.integers(1, max_start), max_size=3, unique=True).flatmap(
        lambda starts: st.tuples(*[st.integers(0, 63) for _ in range(len(starts) + 1)]).map(
            lambda limits: list(zip([0, *sorted(starts)], limits, strict=True))))


def limit_of(periods: list[tuple[int, int]], offset: int) -> int:
    return [limit for start, limit in periods if start <= offset][-1]


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(cap=step_periods(600), default=step_periods(600), tx=st.none() | step_periods(600))
def test_composite_never_exceeds_the_charge_point_maximum(tmp_path_factory, cap, default, tx):
    """Property: every composite period is min(tx-or-default, ChargePointMaxProfile), exactly."""
    connection = connect(tmp_path_factory.mktemp("sc") / "cp.sqlite3")
    try:
        sc = ChargingProfiles(connection, connectors=1)
        assert sc.set_profile(0, profile(1, MAX, 0, cap), transaction_id=None) == "Accepted"
        assert sc.set_profile(1, profile(2, DEFAULT, 0, default), transaction_id=None) \
            == "Accepted"
        if tx is not None:
            assert sc.set_profile(1, profile(3, TX, 0, tx), transaction_id=1) == "Accepted"
        schedule = sc.composite_schedule(1, 900, "A", NOW, transaction_id=1)
    finally:
        connection.close()
    result = [(p.start_period, p.limit) for p in schedule.charging_schedule_period]
    assert result[0][0] == 0
    assert all(a[1] != b[1] for a, b in zip(result, result[1:], strict=False))  # merged
    moments = {start for start, _ in cap + default + (tx or []) + result}
    for moment in sorted(moments):
        got = limit_of(result, moment)
        assert got <= limit_of(cap, moment)
        assert got == min(limit_of(tx or default, moment), limit_of(cap, moment))
