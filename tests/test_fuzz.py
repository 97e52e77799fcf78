"""Fuzzing: no input crashes the validator, and every well-typed message is schema-valid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocppcert.messages import Complex, Kind
from ocppcert.messages.base import FieldInfo
from ocppcert.messages.registry import MESSAGES
from ocppcert.schema import Validator
from ocppcert.soap import Headers, build_envelope

from .conftest import fixture_bytes

VALIDATOR = Validator()
SEED = fixture_bytes("valid/1.6/CentralSystemService/StartTransaction.request.xml")
XML_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(data: bytes) -> None:
    report = VALIDATOR.check(data)
    assert report.valid is False or report.kind is not None


@settings(max_examples=300, deadline=None)
@given(st.integers(0, len(SEED)), st.integers(0, len(SEED)), st.binary(max_size=40))
def test_mutated_envelopes_never_crash(start: int, end: int, insert: bytes) -> None:
    start, end = sorted((start, end))
    report = VALIDATOR.check(SEED[:start] + insert + SEED[end:])
    for violation in report.violations:
        assert violation.reason and "\n" not in violation.where


def _value(info: FieldInfo) -> st.SearchStrategy[Any]:
    t = info.type
    if isinstance(t, type) and issubclass(t, Complex):
        return _complex(t)
    if isinstance(t, type) and issubclass(t, Enum):
        return st.sampled_from(list(t))
    if t is int:
        return st.integers(-(2**31), 2**31 - 1)
    if t is bool:
        return st.booleans()
    if t is Decimal:
        return st.decimals(min_value=-10**6, max_value=10**6, places=1, allow_nan=False, allow_infinity=False)
    if t is dt.datetime:
        return st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1),
                            timezones=st.just(dt.timezone.utc))
    if info.xsd_type == "anyURI":
        return st.from_regex(r"\A(ftp|https?)://127\.0\.0\.1(:[0-9]{1,5})?(/[A-Za-z0-9._~-]{0,12}){0,3}\Z")
    return st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=info.max_length or 40)


def _complex(cls: type[Complex]) -> st.SearchStrategy[Complex]:
    fields: dict[str, st.SearchStrategy[Any]] = {}
    for attr, info in cls.wire_fields():
        value = _value(info)
        if info.repeated:
            fields[attr] = st.lists(value, min_size=info.min_occurs, max_size=3)
        elif info.min_occurs == 0:
            fields[attr] = st.none() | value
        else:
            fields[attr] = value
    return st.builds(cls, **fields)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(MESSAGES.values(), key=lambda c: c.qname())).flatmap(_complex))
def test_every_well_typed_message_is_schema_valid(message: Any) -> None:
    if message.KIND is Kind.REQUEST:
        headers = Headers.request(message.action, charge_box_identity="CP", to="http://127.0.0.1:1/",
                                  from_address="http://127.0.0.1:2/")
    else:
        headers = Headers(action=message.action, message_id="urn:uuid:00000000-0000-4000-8000-000000000001",
                          relates_to="urn:uuid:00000000-0000-4000-8000-000000000002")
    data = build_envelope(headers, message)
    report = VALIDATOR.check(data)
    assert report.valid, report.violations
    from ocppcert.soap import parse_envelope

    decoded = parse_envelope(data).message()
    assert decoded == message
