"""Interop: zeep, a third-party SOAP stack, calls the reference Central System.

zeep reads the WSDL the Central System serves (``?wsdl&ocpp=V``: ours, with its address)
and calls every CentralSystemService operation of every version over real HTTP. zeep in
strict mode parses each reply against the same WSDL, so a reply that is not what the
WSDL promises fails here; the Central System's own record must show the request as the
right operation and the reply as valid.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from zeep import Client, Settings
from zeep.helpers import serialize_object
from zeep.transports import Transport

from ocppcert.messages import Kind, message_class, operations
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.transport import Direction
from ocppcert.versions import OcppVersion, Service

CASES = [(v, op) for v in OcppVersion for op in operations(v, Service.CENTRAL_SYSTEM)]


@pytest.fixture
async def central_system(tmp_path):
    cs = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3")
    await cs.start()
    yield cs
    await cs.stop()


def _zeep_session(url: str, version: OcppVersion, samples: list[Any]) -> list[Any]:
    """In a thread (zeep is synchronous; the server runs on this test's event loop): read
    the served WSDL and call each sample request in turn; return the replies."""
    client = Client(f"{url}?wsdl&ocpp={version.value}",
                    settings=Settings(strict=True), transport=Transport(timeout=10))
    replies = []
    for sample in samples:
        parsed = client.get_element(sample.qname()).parse(sample.to_element(), client.wsdl.types)
        kwargs = serialize_object(parsed, dict) or {}
        operation = getattr(client.service, sample.OP.value)
        replies.append(operation(**kwargs, _soapheaders={"ChargeBoxIdentity": "CP-ZEEP"}))
    return replies


@pytest.mark.parametrize(("version", "op"), CASES, ids=[f"{v.value}-{o.value}" for v, o in CASES])
async def test_zeep_calls_every_operation(central_system, fixture_tools, version, op):
    def sample(name):
        cls = message_class(version, Service.CENTRAL_SYSTEM, name, Kind.REQUEST)
        return fixture_tools.sample(cls, full=True)

    await asyncio.to_thread(_zeep_session, central_system.url, version, [sample("BootNotification")])
    mark = central_system.recorder.last_seq
    [reply] = await asyncio.to_thread(_zeep_session, central_system.url, version, [sample(op)])
    records = [r for r in central_system.recorder.records if r.seq > mark]
    inbound = [r for r in records if r.direction is Direction.IN]
    outbound = [r for r in records if r.direction is Direction.OUT]
    assert [(r.operation, r.kind, r.ocpp_version) for r in inbound] == [
        (op.value, "request", version.value)]
    assert [(r.operation, r.kind, r.http_status, r.valid) for r in outbound] == [
        (op.value, "response", 200, True)], outbound[0].violations if outbound else None
    response_cls = message_class(version, Service.CENTRAL_SYSTEM, op, Kind.RESPONSE)
    if response_cls.wire_fields():
        assert reply is not None
