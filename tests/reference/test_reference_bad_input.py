"""Bad input against the two reference programs: each gets a SOAP 1.2 fault or the HTTP
status HTTP has for it, nothing is fetched, and the server keeps serving and keeps its data.
"""

from __future__ import annotations

import gzip

import aiohttp
import pytest

from ocppcert import ns
from ocppcert.messages import Op
from ocppcert.reference.central_system import ReferenceCentralSystem
from ocppcert.reference.charge_point.station import (
    BootState,
    ChargePointTraits,
    ReferenceChargePoint,
)
from ocppcert.reference.db import connect
from ocppcert.soap import SoapFault
from ocppcert.xml import parse

SOAP = "application/soap+xml; charset=utf-8"
BAD = [
    ("not-xml", b"\x00\xffthis is not xml", SOAP, 400),
    ("truncated", b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>', SOAP,
     400),
    ("billion-laughs", b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
     b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
     b"<l>&c;</l>", SOAP, 400),
    ("xxe", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
     b"<x>&e;</x>", SOAP, 400),
    ("external-dtd", b'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd"><x/>', SOAP, 400),
    ("soap-1.1", b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
     b'<heartbeatRequest xmlns="urn://Ocpp/Cs/2015/10/"/></e:Body></e:Envelope>',
     "text/xml; charset=utf-8", 500),
    ("json", b'{"hello": 1}', "application/json", 415),
    ("oversize", b"<a>" + b"x" * (1024 * 1024) + b"</a>", SOAP, 413),
    ("gzip-bomb", gzip.compress(b"<a>" + b"x" * (8 * 1024 * 1024) + b"</a>"), SOAP, 413),
]


@pytest.fixture
async def programs(tmp_path):
    cs = ReferenceCentralSystem(db_path=tmp_path / "cs.sqlite3")
    await cs.start()
    cp = ReferenceChargePoint(central_system_url=cs.url, identity="CP-BAD", version="1.6",
                              db=connect(tmp_path / "cp.sqlite3"),
                              traits=ChargePointTraits(time_scale=0.05, reconnect_interval=0.2))
    await cp.start()
    await cp.wait_until(lambda: cp.boot_state is BootState.ACCEPTED, timeout=10)
    try:
        yield cs, cp
    finally:
        await cp.stop()
        await cs.stop()


@pytest.mark.parametrize(("name", "body", "content_type", "status"), BAD, ids=[b[0] for b in BAD])
async def test_bad_input_is_refused_and_both_keep_serving(programs, name, body, content_type,
                                                          status):
    cs, cp = programs
    headers = {"Content-Type": content_type}
    if name == "gzip-bomb":
        headers["Content-Encoding"] = "gzip"
    async with aiohttp.ClientSession() as session:
        for url in (cs.url, cp.url):
            async with session.post(url, data=body, headers=headers) as response:
                assert response.status == status, (url, await response.text())
                payload = await response.read()
            if status in (400, 500):
                fault = parse(payload).find(f".//{{{ns.SOAP12}}}Fault")
                assert fault is not None
                SoapFault.from_element(fault)
                assert b"root:" not in payload
    # still serving, with the state intact: the station reaches the Central System and back
    mark = cs.recorder.last_seq
    reply = await cp.send(cp.request(Op.HEARTBEAT))
    assert reply.current_time is not None
    assert any(r.seq > mark and r.operation == "Heartbeat" for r in cs.recorder.records)
    [station] = [p for p in cs.store.charge_points() if p["identity"] == "CP-BAD"]
    assert station["ocpp_version"] == "1.6"
