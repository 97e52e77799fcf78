"""Remote trigger (OCPP 1.6 only): the Central System asks the charge point for a message
with TriggerMessage, answers the message it triggered, and copes with a refusal."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.verdicts import CaseFailed

from ..steps import (
    CONNECTOR,
    expect_command,
    moment,
    no_repeat,
    require_field,
    status,
    still_served,
)

SPEC = {"1.6": "OCPP 1.6 §5.17, §4.7, §4.6"}


async def trigger(central_system, cp, requested: str, why: str, connector: int | None):
    fields = {"requestedMessage": requested}
    if connector is not None:
        fields["connectorId"] = connector
    await central_system.trigger(cp.identity, Op.TRIGGER_MESSAGE, **fields)
    received = await expect_command(cp, Op.TRIGGER_MESSAGE, why)
    require_field(received, "requestedMessage", received.message.requested_message.value,
                  requested)
    require_field(received, "connectorId", received.message.connector_id, connector)
    return received


@case(octt="TC_054_CSMS", title="Trigger Message", sut="central-system",
      profile="RemoteTrigger", versions=("1.6",), spec=SPEC)
async def test_trigger_message(central_system, cp, case_version):
    """The Central System asks for a message with TriggerMessage, naming the message and
    the connector its operator chose. The charge point sends the triggered message even
    though no transaction runs; the Central System must answer it like any other:
    MeterValues for connector 1 gets a MeterValues response, and a triggered Heartbeat
    gets currentTime."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await trigger(central_system, cp, "MeterValues", "trigger of MeterValues", CONNECTOR)
    await cp.send(Op.METER_VALUES, connectorId=CONNECTOR, meterValue=[
        {"timestamp": moment(), "sampledValue": [
            {"value": "1234", "context": "Trigger", "measurand": "Energy.Active.Import.Register",
             "unit": "Wh"}]}])
    await trigger(central_system, cp, "Heartbeat", "trigger of Heartbeat", None)
    reply = await cp.send(Op.HEARTBEAT)
    if reply.current_time is None:
        raise CaseFailed("the triggered Heartbeat was answered without currentTime",
                         evidence=(cp.recorder.last_seq,))


@case(octt="TC_055_CSMS", title="Trigger Message - Rejected", sut="central-system",
      profile="RemoteTrigger", versions=("1.6",), spec=SPEC)
async def test_trigger_message_rejected(central_system, cp, case_version):
    """The charge point rejects the TriggerMessage. The answer is final: the Central
    System does not send it again and keeps serving the charge point."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    cp.answer(Op.TRIGGER_MESSAGE, status="Rejected")
    await trigger(central_system, cp, "MeterValues", "trigger to be rejected", CONNECTOR)
    await no_repeat(cp, Op.TRIGGER_MESSAGE, "Rejected")
    await still_served(cp)
