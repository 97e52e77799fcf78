"""Interop: zeep calls every ChargePointService operation of the reference charge point.

The station (booted against the reference Central System) serves its WSDL at
``?wsdl``; zeep in strict mode reads it and calls each operation of the station's version
with a full sample request, so each reply must parse as the WSDL says, and the station's
own record must show the reply as a valid response. File-transfer locations point at
local files: nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from zeep import Client, Settings
from zeep.helpers import serialize_object
from zeep.transports import Transport

from ocppcert.messages import Kind, Op, message_class, operations
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.reference.charge_point.station import (
    BootState,
    ChargePointTraits,
    ReferenceChargePoint,
)
from ocppcert.reference.db import connect
from ocppcert.transport import Direction
from ocppcert.versions import OcppVersion, Service

CASES = [(v, op) for v in OcppVersion for op in operations(v, Service.CHARGE_POINT)]
IDENTITY = "CP-ZEEP"


def _zeep_call(url: str, version: OcppVersion, sample: Any) -> Any:
    """In a thread: zeep is synchronous and the servers run on the test's event loop."""
    client = Client(f"{url}?wsdl&ocpp={version.value}",
                    settings=Settings(strict=True), transport=Transport(timeout=10))
    parsed = client.get_element(sample.qname()).parse(sample.to_element(), client.wsdl.types)
    kwargs = serialize_object(parsed, dict) or {}
    operation = getattr(client.service, sample.OP.value)
    return operation(**kwargs, _soapheaders={"ChargeBoxIdentity": IDENTITY})


@pytest.mark.parametrize(("version", "op"), CASES, ids=[f"{v.value}-{o.value}" for v, o in CASES])
async def test_zeep_calls_every_operation(tmp_path, fixture_tools, version, op):
    cs = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3")
    await cs.start()
    traits = ChargePointTraits(time_scale=0.05, reconnect_interval=0.2)
    cp = ReferenceChargePoint(central_system_url=cs.url, identity=IDENTITY,
                              version=version.value, db=connect(tmp_path / "cp.sqlite3"),
                              traits=traits)
    await cp.start()
    try:
        await cp.wait_until(lambda: cp.boot_state is BootState.ACCEPTED, timeout=10)
        cls = message_class(version, Service.CHARGE_POINT, op, Kind.REQUEST)
        sample = fixture_tools.sample(cls, full=True)
        if op in (Op.GET_DIAGNOSTICS, Op.UPDATE_FIRMWARE):
            sample = dataclasses.replace(sample, location=(tmp_path / "transfer").as_uri())
        mark = cp.recorder.last_seq
        await asyncio.to_thread(_zeep_call, cp.url, version, sample)
        records = [r for r in cp.recorder.records if r.seq > mark]
        inbound = [r for r in records if r.direction is Direction.IN and r.kind == "request"]
        assert [(r.operation, r.ocpp_version) for r in inbound] == [(op.value, version.value)]
        [reply] = [r for r in records if r.direction is Direction.OUT
                   and r.relates_to == inbound[0].message_id]
        assert (reply.operation, reply.kind, reply.http_status, reply.valid) == (
            op.value, "response", 200, True), reply.violations
    finally:
        await cp.stop()
        await cs.stop()
