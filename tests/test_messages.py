"""Typed messages: the generated classes cover every operation and convert both ways."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from ocppcert.messages import (
    Kind,
    MessageDecodeError,
    Op,
    message_class,
    message_for_element,
    operations,
)
from ocppcert.messages.registry import MESSAGES
from ocppcert.messages.v12 import central_system as cs12
from ocppcert.messages.v15 import central_system as cs15
from ocppcert.messages.v16 import central_system as cs16
from ocppcert.messages.v16 import charge_point as cp16
from ocppcert.schema import check
from ocppcert.soap import Headers, build_envelope
from ocppcert.versions import OcppVersion, Service

EXPECTED_COUNTS = {
    ("1.2", Service.CENTRAL_SYSTEM): 9,
    ("1.2", Service.CHARGE_POINT): 9,
    ("1.5", Service.CENTRAL_SYSTEM): 10,
    ("1.5", Service.CHARGE_POINT): 15,
    ("1.6", Service.CENTRAL_SYSTEM): 10,
    ("1.6", Service.CHARGE_POINT): 19,
}


@pytest.mark.parametrize(("version", "service"), list(EXPECTED_COUNTS))
def test_operation_counts_per_version_and_service(version: str, service: Service) -> None:
    assert len(operations(version, service)) == EXPECTED_COUNTS[(version, service)]


def test_op_enum_holds_every_operation_once() -> None:
    assert len(Op) == 28  # 10 charge point -> CS + 19 CS -> charge point, DataTransfer in both
    assert Op.BOOT_NOTIFICATION.request_action == "/BootNotification"
    assert Op.BOOT_NOTIFICATION.response_action == "/BootNotificationResponse"
    assert len(MESSAGES) == 2 * sum(EXPECTED_COUNTS.values())


def test_version_specific_shapes() -> None:
    assert "heartbeat_interval" in cs15.BootNotificationResponse.__dataclass_fields__
    assert "interval" in cs16.BootNotificationResponse.__dataclass_fields__
    assert [m.value for m in cs12.ChargePointStatus] == ["Available", "Occupied", "Faulted", "Unavailable"]
    assert "PENDING" not in cs15.RegistrationStatus.__members__
    assert "PENDING" in cs16.RegistrationStatus.__members__


KEYS = sorted(MESSAGES, key=lambda k: (k[0].value, k[1].value, k[2].value, k[3].value))


@pytest.mark.parametrize("key", KEYS, ids=["-".join(str(p) for p in k) for k in KEYS])
@pytest.mark.parametrize("full", [True, False], ids=["full", "minimal"])
def test_every_message_round_trips_and_validates(key: tuple[Any, ...], full: bool, fixture_tools: Any) -> None:
    cls = MESSAGES[key]
    message = fixture_tools.sample(cls, full=full)
    element = message.to_element()
    assert element.tag == cls.qname()
    assert cls.from_element(etree.fromstring(etree.tostring(element))) == message
    assert message_for_element(element.tag) is cls
    if cls.KIND is Kind.REQUEST:
        headers = Headers.request(message.action, charge_box_identity="CP-1", to="http://127.0.0.1:1/",
                                  from_address="http://127.0.0.1:2/")
    else:
        headers = Headers(action=message.action, message_id="urn:uuid:00000000-0000-4000-8000-000000000002",
                          relates_to="urn:uuid:00000000-0000-4000-8000-000000000003")
    report = check(build_envelope(headers, message))
    assert report.valid, report.violations
    assert (report.ocpp_version, report.service, report.operation, report.kind) == (
        key[0], key[1], key[2].value, key[3].value
    )


def test_values_convert_to_their_wire_form() -> None:
    request = cs16.StartTransactionRequest(
        connector_id=2, id_tag="ABC", timestamp=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc),
        meter_start=10,
    )
    text = etree.tostring(request.to_element()).decode()
    assert "<timestamp>2026-01-02T03:04:05Z</timestamp>" in text
    period = cp16.ChargingSchedulePeriod(start_period=0, limit=Decimal("7.5"))
    schedule = cp16.ChargingSchedule(charging_rate_unit=cp16.ChargingRateUnitType.A, charging_schedule_period=[period])
    filled = schedule.fill(etree.Element("{urn:x}s"), "urn:x")
    assert filled.findtext("{urn:x}chargingSchedulePeriod/{urn:x}limit") == "7.5"
    kv = cp16.KeyValue(key="K", readonly=True)
    element = kv.fill(etree.Element("{urn://Ocpp/Cp/2015/10/}kv"), "urn://Ocpp/Cp/2015/10/")
    assert element.findtext("{urn://Ocpp/Cp/2015/10/}readonly") == "true"


def test_v15_meter_value_attributes() -> None:
    value = cs15.MeterValueValue(text="42", measurand=cs15.Measurand.VOLTAGE, unit=cs15.UnitOfMeasure.VOLT)
    request = cs15.MeterValuesRequest(connector_id=1, values=[cs15.MeterValue(timestamp=dt.datetime(2026, 1, 1), value=[value])])
    element = request.to_element()
    v = element.find(f"{{{cs15.NAMESPACE}}}values/{{{cs15.NAMESPACE}}}value")
    assert v.text == "42" and v.get("measurand") == "Voltage" and v.get("unit") == "Volt"
    assert v.get("context") is None
    assert cs15.MeterValuesRequest.from_element(element) == request


@pytest.mark.parametrize(
    ("xml", "error"),
    [
        (b'<authorizeRequest xmlns="urn://Ocpp/Cs/2015/10/"/>', "idTag: required element missing"),
        (b'<authorizeRequest xmlns="urn://Ocpp/Cs/2015/10/"><idTag>a</idTag><idTag>b</idTag></authorizeRequest>', "at most 1"),
        (b'<authorizeRequest xmlns="urn://Ocpp/Cs/2015/10/"><idTag>a</idTag><x/></authorizeRequest>', "unexpected element"),
        (b'<authorizeRequest xmlns="urn://Ocpp/Cs/2015/10/"><idTag xmlns="urn:other">a</idTag></authorizeRequest>', "namespace"),
    ],
)
def test_decoding_rejects_elements_that_do_not_fit(xml: bytes, error: str) -> None:
    with pytest.raises(MessageDecodeError, match=error):
        cs16.AuthorizeRequest.from_element(etree.fromstring(xml))


def test_decoding_rejects_bad_values() -> None:
    xml = b'<bootNotificationResponse xmlns="urn://Ocpp/Cs/2015/10/"><status>Maybe</status><currentTime>2026-01-01T00:00:00Z</currentTime><interval>5</interval></bootNotificationResponse>'
    with pytest.raises(MessageDecodeError, match="'Maybe' is not a valid RegistrationStatus"):
        cs16.BootNotificationResponse.from_element(etree.fromstring(xml))


def test_message_class_lookup() -> None:
    assert message_class("1.6", "ChargePointService", "TriggerMessage", "request") is cp16.TriggerMessageRequest
    with pytest.raises(KeyError):
        message_class(OcppVersion.V12, Service.CHARGE_POINT, Op.TRIGGER_MESSAGE, Kind.REQUEST)
