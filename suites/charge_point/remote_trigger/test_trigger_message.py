"""TriggerMessage: the Central System asks for a charge point-initiated message (OCPP 1.6)."""

from __future__ import annotations

from typing import Any

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.pics import profile
from ocppcert.verdicts import CaseFailed

TRIGGER = (profile("RemoteTrigger"),)
ARRIVAL = 15  # s: a triggered message must arrive within this
# Messages of the Firmware Management profile; a charge point without that profile may
# answer NotImplemented to a trigger for them.
FIRMWARE_MESSAGES = ("DiagnosticsStatusNotification", "FirmwareStatusNotification")


async def trigger(cs: Any, requested: str, connector: int | None = None) -> tuple[str, int]:
    """Send TriggerMessage; its status, and the wire-record number of the answer (0 if the
    harness kept no record of it)."""
    mark = cs.recorder.last_seq
    fields: dict[str, Any] = {"requestedMessage": requested}
    if connector is not None:
        fields["connectorId"] = connector
    reply = await cs.command(Op.TRIGGER_MESSAGE, **fields)
    answered = next((r.seq for r in cs.recorder.records
                     if r.seq > mark and r.operation == Op.TRIGGER_MESSAGE.value
                     and r.kind == "response"), 0)
    return reply.status.value, answered


def forget_earlier(cs: Any, op: Op) -> None:
    """Only what arrives from now on can answer the trigger."""
    for received in cs.seen(op):
        received.consumed = True


async def expect_triggered(cs: Any, op: Op, answered: int, *, what: str,
                           where: Any = None) -> Any:
    received = await cs.expect(op, timeout=ARRIVAL, where=where, what=what)
    if answered and received.seq < answered:
        raise CaseFailed(f"{what} was sent before the TriggerMessage answer (the answer must "
                         f"come first)", evidence=(received.seq, answered))
    return received


@case(octt="TC_054_CS", title="Trigger Message", sut="charge-point", profile="RemoteTrigger",
      versions=("1.6",), spec={"1.6": "OCPP 1.6 §5.17, §4.2, §4.4, §4.5, §4.6, §4.7, §4.9"},
      requires=TRIGGER)
async def test_trigger_message(cs, charge_point, case_version, pics):
    """TriggerMessage asks the charge point to send one of its own messages now. It answers
    Accepted first, then sends the message: MeterValues for the connector named,
    Heartbeat, StatusNotification for the connector named or, with no connectorId, for
    the charge point itself (connector 0) and every connector, DiagnosticsStatusNotification
    and FirmwareStatusNotification (Idle: nothing is in progress; a charge point without
    firmware management may answer NotImplemented instead), and BootNotification."""
    forget_earlier(cs, Op.METER_VALUES)
    status, answered = await trigger(cs, "MeterValues", 1)
    if status != "Accepted":
        raise CaseFailed(f"TriggerMessage MeterValues for connector 1 answered {status}")
    meter = await expect_triggered(cs, Op.METER_VALUES, answered,
                                   what="the triggered MeterValues of connector 1",
                                   where=lambda m: m.connector_id == 1)
    contexts = {sampled.context.value for value in meter.message.meter_value
                for sampled in value.sampled_value if sampled.context is not None}
    if contexts - {"Trigger"}:
        raise CaseFailed(f"the triggered MeterValues give the reading context(s) "
                         f"{sorted(contexts)}; a triggered reading's context is Trigger",
                         evidence=(meter.seq,))

    forget_earlier(cs, Op.HEARTBEAT)
    status, answered = await trigger(cs, "Heartbeat")
    if status != "Accepted":
        raise CaseFailed(f"TriggerMessage Heartbeat answered {status}")
    await expect_triggered(cs, Op.HEARTBEAT, answered, what="the triggered Heartbeat")

    forget_earlier(cs, Op.STATUS_NOTIFICATION)
    status, answered = await trigger(cs, "StatusNotification", 1)
    if status != "Accepted":
        raise CaseFailed(f"TriggerMessage StatusNotification for connector 1 answered {status}")
    await expect_status(cs, 1, answered)

    forget_earlier(cs, Op.STATUS_NOTIFICATION)
    status, answered = await trigger(cs, "StatusNotification")
    if status != "Accepted":
        raise CaseFailed(f"TriggerMessage StatusNotification without connectorId answered "
                         f"{status}")
    for connector in range(pics.connectors + 1):
        await expect_status(cs, connector, answered, why=" (no connectorId: all of them)")

    for requested in FIRMWARE_MESSAGES:
        op = Op(requested)
        forget_earlier(cs, op)
        status, answered = await trigger(cs, requested)
        if status == "NotImplemented" and "FirmwareManagement" not in pics.profiles:
            continue
        if status != "Accepted":
            raise CaseFailed(f"TriggerMessage {requested} answered {status}")
        notice = await expect_triggered(cs, op, answered, what=f"the triggered {requested}")
        if notice.message.status.value != "Idle":
            raise CaseFailed(f"the triggered {requested} reports {notice.message.status.value}"
                             f" while nothing is in progress (Idle expected)",
                             evidence=(notice.seq,))

    forget_earlier(cs, Op.BOOT_NOTIFICATION)
    status, answered = await trigger(cs, "BootNotification")
    if status != "Accepted":
        raise CaseFailed(f"TriggerMessage BootNotification answered {status}")
    await expect_triggered(cs, Op.BOOT_NOTIFICATION, answered,
                           what="the triggered BootNotification")


async def expect_status(cs: Any, connector: int, answered: int, why: str = "") -> None:
    """The triggered StatusNotification of ``connector``, reporting it Available (the
    charge point is idle)."""
    notice = await expect_triggered(
        cs, Op.STATUS_NOTIFICATION, answered, where=lambda m: m.connector_id == connector,
        what=f"the triggered StatusNotification of connector {connector}{why}")
    if notice.message.status.value != "Available":
        raise CaseFailed(f"the triggered StatusNotification reports connector {connector} "
                         f"{notice.message.status.value}; it is idle (Available)",
                         evidence=(notice.seq,))


@case(octt="TC_055_CS", title="Trigger Message - Rejected", sut="charge-point",
      profile="RemoteTrigger", versions=("1.6",), spec={"1.6": "OCPP 1.6 §5.17"},
      requires=TRIGGER)
async def test_trigger_message_rejected(cs, charge_point, case_version, pics):
    """A TriggerMessage the charge point cannot carry out, such as MeterValues for a
    connector it does not have, is answered Rejected, and the message is not sent."""
    missing = pics.connectors + 1
    forget_earlier(cs, Op.METER_VALUES)
    status, _ = await trigger(cs, "MeterValues", missing)
    if status != "Rejected":
        raise CaseFailed(f"TriggerMessage MeterValues for connector {missing}, which does not "
                         f"exist, answered {status}; expected Rejected")
    await cs.expect_none(Op.METER_VALUES, during=3,
                         why=f"after the TriggerMessage for connector {missing} was Rejected")
