"""Commands from the Central System: ChangeAvailability (no OCTT case of its own)."""

from __future__ import annotations

from ocppcert.catalog import case
from ocppcert.messages import Op

from ..steps import CONNECTOR, expect_command, no_repeat, require_field, status, still_served

SPEC = {"1.6": "OCPP 1.6 §5.2, §4.9", "1.5": "OCPP 1.5 §5.2, §4.9",
        "1.2": "OCPP 1.2 §5 ChangeAvailability, §4 StatusNotification"}


async def change_availability(central_system, cp, connector: int, kind: str, why: str):
    await central_system.trigger(cp.identity, Op.CHANGE_AVAILABILITY, connectorId=connector,
                                 type=kind)
    received = await expect_command(cp, Op.CHANGE_AVAILABILITY, why)
    require_field(received, "connectorId", received.message.connector_id, connector)
    require_field(received, "type", received.message.type.value, kind)
    return received


@case(own="CMD_001_CSMS", title="Change Availability of a connector to Inoperative",
      sut="central-system", profile="Core", spec=SPEC)
async def test_connector_inoperative(central_system, cp, case_version):
    """Asked to take one connector out of service, the Central System sends
    ChangeAvailability of type Inoperative naming that connector (not the whole charge
    point, connector 0); after the Accepted answer it accepts the connector's
    StatusNotification Unavailable."""
    await cp.boot_accepted()
    await status(cp, case_version, "idle")
    await change_availability(central_system, cp, CONNECTOR, "Inoperative",
                              "connector 1 out of service")
    await status(cp, case_version, "unavailable")
    await still_served(cp)


@case(own="CMD_002_CSMS", title="Change Availability – Rejected", sut="central-system",
      profile="Core", spec=SPEC)
async def test_availability_rejected(central_system, cp, case_version):
    """Asked to make the whole charge point (connector 0) operative, the Central System
    sends ChangeAvailability of type Operative for connector 0; the charge point rejects
    it. The answer is final: the Central System does not send it again and keeps serving
    the charge point."""
    await cp.boot_accepted()
    await status(cp, case_version, "unavailable", connector=0)
    cp.answer(Op.CHANGE_AVAILABILITY, status="Rejected")
    await change_availability(central_system, cp, 0, "Operative", "whole charge point")
    await no_repeat(cp, Op.CHANGE_AVAILABILITY, "Rejected")
    await still_served(cp)
