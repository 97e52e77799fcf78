"""The harness playing a charge point, against the reference Central System on loopback."""

from __future__ import annotations

import pytest

from ocppcert.messages import Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.roles.charge_point import ChargePointHarness
from ocppcert.verdicts import CaseFailed


@pytest.fixture
async def pair(tmp_path):
    central = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3")
    await central.start()
    harness = ChargePointHarness("CP-H1", central_system_url=central.url, version="1.6")
    await harness.start()
    yield central, harness
    await harness.stop()
    await central.stop()


async def test_only_an_unscripted_answer_changes_the_harness_state(pair):
    central, cp = pair
    await cp.boot_accepted()
    cp.answer(Op.CHANGE_CONFIGURATION, status="Rejected")
    reply = await central.command(cp.identity, (Op.CHANGE_CONFIGURATION,
                                                {"key": "HeartbeatInterval", "value": "7"}))
    assert reply.status.value == "Rejected" and cp.config["HeartbeatInterval"] == "300"
    reply = await central.command(cp.identity, (Op.CHANGE_CONFIGURATION,
                                                {"key": "HeartbeatInterval", "value": "7"}))
    assert reply.status.value == "Accepted" and cp.config["HeartbeatInterval"] == "7"
    received = await cp.expect(Op.CHANGE_CONFIGURATION, timeout=5)
    assert received.message.value == "7" and received.ctx.charge_box_identity == "CP-H1"


async def test_a_fault_from_the_central_system_fails_the_case(tmp_path):
    central = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3", versions=["1.5"])
    await central.start()
    cp = ChargePointHarness("CP-H2", central_system_url=central.url, version="1.6")
    await cp.start()
    try:
        with pytest.raises(CaseFailed, match="SOAP fault"):  # 1.6 is not served there
            await cp.boot()
    finally:
        await cp.stop()
        await central.stop()


async def test_expectations_are_bounded(pair):
    _, cp = pair
    with pytest.raises(CaseFailed, match="did not send Reset within 0.2 s"):
        await cp.expect(Op.RESET, timeout=0.2)
