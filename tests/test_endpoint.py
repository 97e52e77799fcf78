"""The shared transport and Endpoint: routing, faults, HTTP refusals, recording, calls.

Real aiohttp servers on loopback ports; real SOAP bytes.
"""

from __future__ import annotations

import datetime as dt
import gzip

import aiohttp
import pytest

from ocppcert import ns
from ocppcert.messages import Kind, Op, message_class
from ocppcert.roles import CallContext, Endpoint, ProtocolViolation, RemoteFault, handles
from ocppcert.soap import FaultSubcode, Headers, SoapFault, build_envelope
from ocppcert.soap.faults import FaultCode
from ocppcert.transport import Availability, Direction, SoapServer, TransportError
from ocppcert.transport.http import HttpReply
from ocppcert.versions import OcppVersion, Service
from ocppcert.xml import parse

V16 = OcppVersion.V16


class TinyCentralSystem(Endpoint):
    SERVICE = Service.CENTRAL_SYSTEM

    def __init__(self, **kw):
        super().__init__(**kw)
        self.seen: list[tuple[str, str | None]] = []

    @handles(Op.HEARTBEAT)
    async def heartbeat(self, request, ctx: CallContext):
        self.seen.append((ctx.op.value, ctx.from_address))
        return ctx.respond(current_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    @handles(Op.DATA_TRANSFER)
    async def data_transfer(self, request, ctx: CallContext):
        if request.vendor_id == "boom":
            raise RuntimeError("handler bug")
        if request.vendor_id == "refuse":
            raise SoapFault(FaultSubcode.SECURITY_ERROR, "not for you")
        return ctx.respond(status="Accepted", data=request.data)


class TinyChargePoint(Endpoint):
    SERVICE = Service.CHARGE_POINT

    @handles(Op.CLEAR_CACHE)
    async def clear_cache(self, request, ctx):
        return ctx.respond(status="Accepted")


def _cls(op, kind=Kind.REQUEST, version=V16, service=Service.CENTRAL_SYSTEM):
    return message_class(version, service, op, kind)


def _request_bytes(message, identity="CP-1", to="http://x/", **changes) -> bytes:
    headers = Headers.request(message.action, charge_box_identity=identity, to=to,
                              from_address="http://127.0.0.1:1/cp").with_(**changes)
    return build_envelope(headers, message)


def _fault_of(data: bytes) -> SoapFault:
    body = parse(data).find(f"{{{ns.SOAP12}}}Body")
    fault = body.find(f"{{{ns.SOAP12}}}Fault")
    assert fault is not None, data
    return SoapFault.from_element(fault)


@pytest.fixture
async def cs():
    async with TinyCentralSystem() as endpoint:
        yield endpoint


@pytest.fixture
async def caller():
    async with TinyChargePoint(identity="CP-1") as endpoint:
        yield endpoint


async def _post(url, data, content_type="application/soap+xml; charset=utf-8", **headers):
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=data,
                                headers={"Content-Type": content_type, **headers}) as r:
            return r.status, await r.read(), r.headers.get("Content-Encoding")


async def test_call_round_trip_with_headers_and_recording(cs, caller):
    response = await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")
    assert response.current_time == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assert cs.seen == [("Heartbeat", caller.url)]  # wsa:From carried the caller's URL
    inbound, outbound = cs.recorder.records
    assert (inbound.direction, inbound.operation, inbound.kind) == (Direction.IN, "Heartbeat", "request")
    assert (outbound.direction, outbound.kind, outbound.http_status) == (Direction.OUT, "response", 200)
    assert outbound.relates_to == inbound.message_id and inbound.valid and outbound.valid
    sent, got = caller.recorder.records
    assert sent.direction is Direction.OUT and got.relates_to == sent.message_id


async def test_each_version_is_answered_in_its_own_version(cs, caller):
    for version in OcppVersion:
        cls = _cls(Op.HEARTBEAT, version=version)
        response = await caller.call(cs.url, cls(), charge_box_identity="CP-1")
        assert response.VERSION == version.value


async def test_unknown_operation_is_not_supported(cs, caller):
    request = _cls(Op.AUTHORIZE)(id_tag="TAG")
    with pytest.raises(RemoteFault) as caught:
        await caller.call(cs.url, request, charge_box_identity="CP-1")
    assert caught.value.fault.subcode is FaultSubcode.NOT_SUPPORTED
    assert caught.value.fault.code is FaultCode.RECEIVER
    assert caught.value.record.http_status == 500


async def test_request_of_the_other_service_is_not_supported(cs, caller):
    request = _cls(Op.CLEAR_CACHE, service=Service.CHARGE_POINT)()
    with pytest.raises(RemoteFault) as caught:
        await caller.call(cs.url, request, charge_box_identity="CP-1")
    assert caught.value.fault.subcode is FaultSubcode.NOT_SUPPORTED


async def test_identity_mismatch_at_a_charge_point(cs, caller):
    request = _cls(Op.CLEAR_CACHE, service=Service.CHARGE_POINT)()
    assert (await cs.call(caller.url, request, charge_box_identity="CP-1")).status.value == "Accepted"
    with pytest.raises(RemoteFault) as caught:
        await cs.call(caller.url, request, charge_box_identity="CP-2")
    assert caught.value.fault.subcode is FaultSubcode.IDENTITY_MISMATCH
    assert caught.value.record.http_status == 400


async def test_handler_faults_and_bugs(cs, caller):
    cls = _cls(Op.DATA_TRANSFER)
    with pytest.raises(RemoteFault) as caught:
        await caller.call(cs.url, cls(vendor_id="refuse"), charge_box_identity="CP-1")
    assert caught.value.fault.subcode is FaultSubcode.SECURITY_ERROR
    with pytest.raises(RemoteFault) as caught:
        await caller.call(cs.url, cls(vendor_id="boom"), charge_box_identity="CP-1")
    assert caught.value.fault.subcode is FaultSubcode.INTERNAL_ERROR
    # and the server still serves
    ok = await caller.call(cs.url, cls(vendor_id="v", data="d"), charge_box_identity="CP-1")
    assert ok.data == "d"


@pytest.mark.parametrize(
    ("data", "subcode"),
    [
        (b"garbage", FaultSubcode.PROTOCOL_ERROR),
        (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
         b"<l>&b;</l>", FaultSubcode.PROTOCOL_ERROR),
        (b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
         FaultSubcode.PROTOCOL_ERROR),
        (b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>',
         FaultSubcode.PROTOCOL_ERROR),
    ],
    ids=["not-xml", "billion-laughs", "xxe", "empty-body"],
)
async def test_bad_input_gets_a_sender_fault_and_the_server_keeps_serving(cs, caller, data, subcode):
    status, body, _ = await _post(cs.url, data)
    assert status == 400
    fault = _fault_of(body)
    assert fault.subcode is subcode and fault.code is FaultCode.SENDER
    assert b"root:" not in body
    assert await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")


async def test_schema_invalid_request_is_a_protocol_error(cs):
    data = _request_bytes(_cls(Op.DATA_TRANSFER)(vendor_id="x" * 300))
    status, body, _ = await _post(cs.url, data)
    fault = _fault_of(body)
    assert (status, fault.subcode) == (400, FaultSubcode.PROTOCOL_ERROR)
    assert "vendorId" in fault.reason


async def test_missing_charge_box_identity_is_a_protocol_error(cs):
    data = _request_bytes(_cls(Op.HEARTBEAT)(), charge_box_identity=None)
    status, body, _ = await _post(cs.url, data)
    assert _fault_of(body).subcode is FaultSubcode.PROTOCOL_ERROR
    assert "chargeBoxIdentity" in _fault_of(body).reason


async def test_fault_answers_relate_to_the_request(cs):
    data = _request_bytes(_cls(Op.AUTHORIZE)(id_tag="T"))
    _, body, _ = await _post(cs.url, data)
    sent_id = parse(data).findtext(f".//{{{ns.WSA}}}MessageID")
    assert parse(body).findtext(f".//{{{ns.WSA}}}RelatesTo") == sent_id


async def test_soap11_gets_a_version_mismatch_fault_with_upgrade(cs):
    data = (b'<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>'
            b'<heartbeatRequest xmlns="urn://Ocpp/Cs/2015/10/"/></e:Body></e:Envelope>')
    status, body, _ = await _post(cs.url, data, content_type="text/xml; charset=utf-8")
    root = parse(body)
    assert status == 500
    assert root.find(f".//{{{ns.SOAP12}}}Upgrade/{{{ns.SOAP12}}}SupportedEnvelope") is not None
    assert _fault_of(body).code is FaultCode.VERSION_MISMATCH


async def test_http_level_refusals(cs):
    async with aiohttp.ClientSession() as session:
        async with session.get(cs.url) as r:
            assert r.status == 405
    status, _, _ = await _post(cs.url, b"{}", content_type="application/json")
    assert status == 415
    status, _, _ = await _post(cs.url, b"<a>" + b"x" * (1024 * 1024 + 10) + b"</a>")
    assert status == 413
    bomb = gzip.compress(b"<a>" + b"x" * (3 * 1024 * 1024) + b"</a>")
    status, _, _ = await _post(cs.url, bomb, **{"Content-Encoding": "gzip"})
    assert status == 413


async def test_gzip_request_and_response(cs):
    data = _request_bytes(_cls(Op.HEARTBEAT)())
    status, body, encoding = await _post(cs.url, gzip.compress(data), **{
        "Content-Encoding": "gzip", "Accept-Encoding": "gzip"})
    assert status == 200 and b"heartbeatResponse" in body


async def test_any_path_is_served(cs):
    url = cs.url.rstrip("/") + "/ocpp/CentralSystemService"
    status, body, _ = await _post(url, _request_bytes(_cls(Op.HEARTBEAT)()))
    assert status == 200 and b"heartbeatResponse" in body


async def test_version_restriction(caller):
    async with TinyCentralSystem(versions=["1.5"]) as only15:
        await caller.call(only15.url, _cls(Op.HEARTBEAT, version=OcppVersion.V15)(),
                          charge_box_identity="CP-1")
        with pytest.raises(RemoteFault) as caught:
            await caller.call(only15.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")
        assert "1.6" in caught.value.fault.reason


async def test_call_rejects_a_reply_to_another_request(caller):
    async def wrong(body, info):
        reply = build_envelope(Headers(action="/HeartbeatResponse", message_id="urn:uuid:"
                                       "00000000-0000-4000-8000-000000000000",
                                       relates_to="urn:uuid:00000000-0000-4000-8000-000000000009"),
                               _cls(Op.HEARTBEAT, Kind.RESPONSE)(current_time=dt.datetime.now(dt.UTC)))
        return HttpReply(200, reply)

    async with SoapServer(wrong) as server:
        with pytest.raises(ProtocolViolation, match="RelatesTo"):
            await caller.call(server.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")


async def test_call_times_out_and_refused_connections_are_transport_errors(caller):
    import asyncio

    gate = asyncio.Event()

    async def hang(body, info):
        await gate.wait()
        return HttpReply(200, b"")

    async with SoapServer(hang) as server:
        with pytest.raises(TransportError, match="within"):
            await caller.call(server.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1",
                              timeout=0.3)
        gate.set()
    with pytest.raises(TransportError):
        await caller.call(server.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1", timeout=2)
    assert caller.recorder.records[-1].note.startswith("transport error")


async def test_offline_switch_refuses_requests(cs, caller):
    cs.server.open = False
    with pytest.raises(ProtocolViolation):  # a 503 with no SOAP body
        await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")
    cs.server.open = True
    assert await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")


@pytest.mark.parametrize("mode", ["refuse", "drop"])
async def test_a_lost_link_is_a_transport_error_and_comes_back_on_the_same_port(cs, caller, mode):
    url = cs.url
    await cs.server.set_availability(mode)
    with pytest.raises(TransportError):
        await caller.call(url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1", timeout=5)
    await cs.server.set_availability(Availability.OPEN)
    assert cs.url == url
    assert await caller.call(url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")


async def test_refusing_closes_established_keep_alive_connections(cs, caller):
    assert await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")
    await cs.server.set_availability(Availability.REFUSE)
    with pytest.raises(TransportError):
        await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1", timeout=5)
    await cs.server.set_availability(Availability.OPEN)


async def test_wait_for_is_event_driven_and_bounded(cs, caller):
    import asyncio

    mark = cs.recorder.last_seq
    waiter = asyncio.create_task(cs.wait_for(lambda r: r.operation == "Heartbeat"
                                             and r.direction is Direction.IN, timeout=5, after=mark))
    await caller.call(cs.url, _cls(Op.HEARTBEAT)(), charge_box_identity="CP-1")
    record = await waiter
    assert record.seq > mark
    with pytest.raises(TimeoutError):
        await cs.wait_for(lambda r: r.operation == "Authorize", timeout=0.2)


def test_routes_are_collected_per_class():
    assert set(TinyCentralSystem._routes) == {Op.HEARTBEAT, Op.DATA_TRANSFER}
    assert set(TinyChargePoint._routes) == {Op.CLEAR_CACHE}


async def test_wsdl_is_served_with_this_address_and_zeep_calls_through_it(cs):
    import asyncio

    from zeep import Client
    from zeep.transports import Transport

    async with aiohttp.ClientSession() as session:
        async with session.get(cs.url + "?wsdl&ocpp=1.5") as r:
            assert r.status == 200
            document = parse(await r.read())
        async with session.get(cs.url + "?wsdl&ocpp=9.9") as r:
            assert r.status == 404
    location = document.find(".//{http://schemas.xmlsoap.org/wsdl/soap12/}address").get("location")
    assert location == cs.url
    assert document.get("targetNamespace") == "urn://Ocpp/Cs/2012/06/"

    def zeep_heartbeat():
        client = Client(cs.url + "?wsdl", transport=Transport(timeout=10))
        return client.service.Heartbeat(_soapheaders={"ChargeBoxIdentity": "CP-Z"})

    reply = await asyncio.to_thread(zeep_heartbeat)
    assert reply.year == 2026
    assert cs.seen[-1] == ("Heartbeat", None)  # zeep sends no wsa:From
