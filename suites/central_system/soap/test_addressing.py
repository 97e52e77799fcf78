"""WS-Addressing and HTTP on the Central System's own messages: its commands and the
MessageIDs of its responses (OCPP-S 1.6 §2-3, OCPP 1.5 §8.1; WS-Addressing 1.0 Core §3)."""

from __future__ import annotations

import re

from lxml import etree

from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.soap import Headers
from ocppcert.soap.envelope import HEADER, envelope_element, serialize
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type
from ocppcert.verdicts import CaseFailed

# RFC 3986 §4.3: an absolute URI starts with a scheme.
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
SPEC = {"1.6": "OCPP-S 1.6 §3; WS-Addressing 1.0 Core §3.1",
        "1.5": "OCPP 1.5 §8.1; WS-Addressing 1.0 Core §3.1",
        "1.2": "OCPP 1.2 §8; WS-Addressing 1.0 Core §3.1"}


@case(own="SOAP_012_CSMS", title="The Central System's commands travel as application/soap+xml",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2 (SOAP 1.2); SOAP 1.2 Part 2 §7.1.4",
            "1.5": "OCPP 1.5 §8 (SOAP 1.2); SOAP 1.2 Part 2 §7.1.4",
            "1.2": "OCPP 1.2 §8 (SOAP 1.2); SOAP 1.2 Part 2 §7.1.4"})
async def test_command_content_type(central_system, cp, case_version):
    """OCPP speaks SOAP 1.2, whose HTTP binding sends messages as application/soap+xml
    (text/xml is SOAP 1.1's media type). The requests the Central System sends to a charge
    point (here a ClearCache and a ChangeAvailability) use it too."""
    await cp.boot_accepted()
    for op, fields in ((Op.CLEAR_CACHE, {}),
                       (Op.CHANGE_AVAILABILITY, {"connectorId": 0, "type": "Operative"})):
        await central_system.trigger(cp.identity, op, **fields)
        received = await cp.expect(op, timeout=30)
        got = received.record.content_type if received.record else None
        if media_type(got) != SOAP12_MEDIA_TYPE:
            raise CaseFailed(f"the {op.value} from the Central System came as {got!r}, not "
                             f"{SOAP12_MEDIA_TYPE}", evidence=(received.seq,))


@case(own="SOAP_013_CSMS", title="Each command has its own MessageID and says where to reply",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_command_message_ids(central_system, cp, case_version):
    """Every message has a MessageID that identifies it uniquely (WS-Addressing 1.0 §3.2):
    two commands of the Central System carry two different MessageIDs, each an absolute URI.
    Each also carries wsa:From or wsa:ReplyTo (OCPP-S §3 requires both; Apache CXF leaves
    them out, so one of them is the least asked here)."""
    await cp.boot_accepted()
    seen: dict[str, int] = {}
    for op in (Op.CLEAR_CACHE, Op.CLEAR_CACHE):
        await central_system.trigger(cp.identity, op)
        received = await cp.expect(op, timeout=30)
        headers = received.ctx.headers
        evidence = (received.seq,)
        if not headers.message_id:
            raise CaseFailed(f"a {op.value} from the Central System has no wsa:MessageID",
                             evidence=evidence)
        if headers.message_id in seen:
            raise CaseFailed(f"two commands carry the same wsa:MessageID "
                             f"{headers.message_id!r}", evidence=(seen[headers.message_id],
                                                                  received.seq))
        seen[headers.message_id] = received.seq
        if headers.from_address is None and headers.reply_to is None:
            raise CaseFailed(f"the {op.value} carries neither wsa:From nor wsa:ReplyTo",
                             evidence=evidence)


@case(own="SOAP_014_CSMS", title="Each response has a MessageID of its own",
      sut="central-system", profile="SOAP", spec=SPEC)
async def test_response_message_ids(central_system, cp, case_version):
    """A response is a message in its own right: its wsa:MessageID is an absolute URI that
    identifies it uniquely (WS-Addressing 1.0 Core §3.1), so two responses never share one,
    and a response does not reuse the MessageID of the request it answers (that one belongs
    in RelatesTo)."""
    await cp.boot_accepted()
    seen: dict[str, int] = {}
    for _ in range(2):
        done = await cp.exchange(cp.central_system_url, cp.request(Op.HEARTBEAT),
                                 identity=cp.identity)
        got = (done.headers or Headers()).message_id
        evidence = (done.record.seq,)
        if done.report.kind != "response" or not got:
            raise CaseFailed(f"a Heartbeat got a {done.report.kind or 'non-SOAP body'} "
                             f"with wsa:MessageID {got!r}", evidence=evidence)
        if not _ABSOLUTE_URI.match(got):
            raise CaseFailed(f"the Heartbeat response's wsa:MessageID {got!r} is not an "
                             "absolute URI (e.g. urn:uuid:<uuid>)", evidence=evidence)
        if got == done.sent.message_id:
            raise CaseFailed(f"the Heartbeat response reuses the request's MessageID {got!r} "
                             "as its own", evidence=evidence)
        if got in seen:
            raise CaseFailed(f"two Heartbeat responses carry the same wsa:MessageID {got!r}",
                             evidence=(seen[got], done.record.seq))
        seen[got] = done.record.seq


@case(own="SOAP_016_CSMS", title="Unknown optional header blocks are ignored",
      sut="central-system", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2 (SOAP 1.2); SOAP 1.2 Part 1 §2.7, §5.2.3",
            "1.5": "OCPP 1.5 §8 (SOAP 1.2); SOAP 1.2 Part 1 §2.7, §5.2.3",
            "1.2": "OCPP 1.2 §8 (SOAP 1.2); SOAP 1.2 Part 1 §2.7, §5.2.3"})
async def test_unknown_optional_header(central_system, cp, case_version):
    """A SOAP 1.2 node must process the header blocks marked mustUnderstand that are meant for
    it, and may ignore the others. A request that carries, besides the OCPP headers, a
    header block the Central System does not know and is not required to understand (no
    mustUnderstand) is answered normally."""
    await cp.boot_accepted()
    request = cp.request(Op.HEARTBEAT)
    headers = Headers.request(request.action, charge_box_identity=cp.identity,
                              to=cp.central_system_url, from_address=cp.url)
    root = envelope_element(headers, request.to_element())
    extra = etree.SubElement(root.find(HEADER), "{urn:ocppcert:test:extension}TraceContext",
                             nsmap={"x": "urn:ocppcert:test:extension"})
    extra.text = "ocppcert-trace-1"
    data = serialize(root)
    reply, report, record = await cp.send_raw(cp.central_system_url, data,
                                              action=request.action)
    got = report.headers or Headers()
    if report.kind != "response" or got.relates_to != headers.message_id:
        raise CaseFailed(f"a Heartbeat with an optional unknown header block got HTTP "
                         f"{reply.status} and a {report.kind or 'non-SOAP body'} "
                         f"(RelatesTo {got.relates_to!r}), not the Heartbeat response",
                         evidence=(record.seq,))
