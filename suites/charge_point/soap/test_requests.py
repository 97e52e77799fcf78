"""SOAP headers and media type of the requests the charge point sends (OCPP-S 1.6 §2-3,
OCPP 1.5 §8, OCPP 1.2 §8).

Each case makes the station send its everyday requests (Heartbeat, StatusNotification,
Authorize, BootNotification) and reads them back from the wire record, including any the
harness had to refuse, so that a defect shows even where it keeps a request from being
processed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ocppcert import ns
from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.soap.envelope import serialize
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type
from ocppcert.verdicts import CaseFailed

from .wire import (
    await_request,
    deliver,
    header_values,
    heartbeat_key,
    label,
    provoke_requests,
    request_envelope,
    requests_from_sut,
    response_of,
    same_endpoint,
    station_url,
)

HEADERS_SPEC = {"1.6": "OCPP-S 1.6 §3 (SOAP header)", "1.5": "OCPP 1.5 §8.1",
                "1.2": "OCPP 1.2 §8 (SOAP header)"}


@case(own="SOAP_002_CS", title="chargeBoxIdentity in every request the charge point sends",
      sut="charge-point", profile="SOAP", spec=HEADERS_SPEC)
async def test_identity_in_every_request(cs, charge_point, case_version):
    """A charge point names itself in every request it sends: the SOAP header carries a
    chargeBoxIdentity block whose value is the charge point's identity, exactly as the
    Central System knows it."""
    sent = await provoke_requests(cs, charge_point)
    for record in sent:
        identity = header_values(record).get("charge_box_identity")
        if identity is None:
            raise CaseFailed(f"{label(record)} carries no chargeBoxIdentity header",
                             evidence=(record.seq,))
        if identity != charge_point.identity:
            raise CaseFailed(f"{label(record)} names chargeBoxIdentity {identity!r}; the charge "
                             f"point is {charge_point.identity!r}", evidence=(record.seq,))


@case(own="SOAP_003_CS", title="wsa:Action of each request names its operation",
      sut="charge-point", profile="SOAP", spec=HEADERS_SPEC)
async def test_request_action(cs, charge_point, case_version):
    """Every request carries the WS-Addressing Action header, and its value is the
    operation's action as the WSDL gives it: a slash and the operation name
    (``/Heartbeat``, ``/StatusNotification``, ...)."""
    sent = await provoke_requests(cs, charge_point)
    for record in sent:
        action = header_values(record).get("action")
        expected = Op(record.operation).request_action
        if action is None:
            raise CaseFailed(f"{label(record)} carries no wsa:Action header",
                             evidence=(record.seq,))
        if action != expected:
            raise CaseFailed(f"{label(record)} has wsa:Action {action!r}, expected {expected!r}",
                             evidence=(record.seq,))


@case(own="SOAP_004_CS", title="wsa:MessageID present and unique on every request",
      sut="charge-point", profile="SOAP", spec=HEADERS_SPEC)
async def test_request_message_ids(cs, charge_point, case_version):
    """Every request carries a WS-Addressing MessageID, an absolute URI, and no two
    messages of the charge point share one: the Central System correlates its answers by
    it."""
    sent = await provoke_requests(cs, charge_point)
    first_use: dict[str, int] = {}
    for record in sent:
        message_id = header_values(record).get("message_id")
        if not message_id:
            raise CaseFailed(f"{label(record)} carries no wsa:MessageID", evidence=(record.seq,))
        if ":" not in message_id:
            raise CaseFailed(f"{label(record)} has wsa:MessageID {message_id!r}, not a URI",
                             evidence=(record.seq,))
        if message_id in first_use:
            earlier = first_use[message_id]
            raise CaseFailed(f"{label(record)} reuses wsa:MessageID {message_id!r} of #{earlier}",
                             evidence=(earlier, record.seq))
        first_use[message_id] = record.seq


@case(own="SOAP_005_CS", title="wsa:From names the charge point's own endpoint",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (From), §5", "1.5": "OCPP 1.5 §8.1",
            "1.2": "OCPP 1.2 §8 (SOAP header)"})
async def test_from_names_endpoint(cs, charge_point, case_version):
    """Every request carries wsa:From with the address where the charge point listens for
    the Central System's requests: it is the only way a Central System learns how to reach
    it. The address is not the anonymous one, and a request sent to it reaches this charge
    point."""
    known = station_url(cs, charge_point)
    mark = cs.recorder.last_seq
    key = heartbeat_key(case_version)
    # Commands go to the address the driver knows, not to one learnt from wsa:From.
    root = request_envelope(cs, charge_point, cs.request(Op.CHANGE_CONFIGURATION, key=key,
                                                         value="1"))
    ex = await deliver(cs, serialize(root), url=known, what=f"ChangeConfiguration {key}=1",
                       action=Op.CHANGE_CONFIGURATION.request_action)
    reply = response_of(ex, case_version, Op.CHANGE_CONFIGURATION)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}=1 was answered {reply.status.value}",
                         evidence=ex.evidence)
    first = await await_request(cs, Op.HEARTBEAT, after=mark)
    await await_request(cs, Op.HEARTBEAT, after=first.seq, what="a second Heartbeat")
    addresses = set()
    for record in requests_from_sut(cs, mark):
        address = header_values(record).get("from_address")
        if address is None:
            raise CaseFailed(f"{label(record)} carries no wsa:From", evidence=(record.seq,))
        if address in ("", ns.WSA_ANONYMOUS, ns.WSA_NONE):
            raise CaseFailed(f"{label(record)} has wsa:From {address!r}, which names no endpoint",
                             evidence=(record.seq,))
        parts = urlsplit(address)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise CaseFailed(f"{label(record)} has wsa:From {address!r}, not an HTTP(S) URL",
                             evidence=(record.seq,))
        if charge_point.url and not same_endpoint(address, charge_point.url):
            raise CaseFailed(f"{label(record)} has wsa:From {address!r}, but the charge point "
                             f"serves at {charge_point.url!r}", evidence=(record.seq,))
        addresses.add(address)
    for address in sorted(addresses):
        probe = request_envelope(cs, charge_point, cs.request(Op.CLEAR_CACHE), to=address)
        ex = await deliver(cs, serialize(probe), url=address,
                           what=f"ClearCache sent to the wsa:From address {address!r}",
                           action=Op.CLEAR_CACHE.request_action)
        response_of(ex, case_version, Op.CLEAR_CACHE)


@case(own="SOAP_006_CS", title="wsa:To names the Central System on every request",
      sut="charge-point", profile="SOAP", spec=HEADERS_SPEC)
async def test_request_to(cs, charge_point, case_version):
    """Every request carries wsa:To, the URL of the Central System's service it is sent
    to."""
    sent = await provoke_requests(cs, charge_point)
    for record in sent:
        to = header_values(record).get("to")
        if not to:
            raise CaseFailed(f"{label(record)} carries no wsa:To", evidence=(record.seq,))
        if not same_endpoint(to, cs.url):
            raise CaseFailed(f"{label(record)} has wsa:To {to!r}; the Central System it was "
                             f"sent to is {cs.url!r}", evidence=(record.seq,))


@case(own="SOAP_007_CS", title="wsa:ReplyTo anonymous on every request",
      sut="charge-point", profile="SOAP", spec=HEADERS_SPEC)
async def test_request_reply_to(cs, charge_point, case_version):
    """Every request carries wsa:ReplyTo with the anonymous address: OCPP over SOAP is
    synchronous, the answer comes back on the same HTTP exchange, so any other reply
    address is wrong."""
    sent = await provoke_requests(cs, charge_point)
    for record in sent:
        reply_to = header_values(record).get("reply_to")
        if reply_to is None:
            raise CaseFailed(f"{label(record)} carries no wsa:ReplyTo", evidence=(record.seq,))
        if reply_to != ns.WSA_ANONYMOUS:
            raise CaseFailed(f"{label(record)} has wsa:ReplyTo {reply_to!r}, not the anonymous "
                             f"address {ns.WSA_ANONYMOUS}", evidence=(record.seq,))


@case(own="SOAP_011_CS", title="Requests travel as application/soap+xml",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2; SOAP 1.2 Part 2 §7.1.4", "1.5": "OCPP 1.5 §8; SOAP 1.2 Part 2 "
            "§7.1.4", "1.2": "OCPP 1.2 §8; SOAP 1.2 Part 2 §7.1.4"})
async def test_request_media_type(cs, charge_point, case_version):
    """OCPP uses SOAP 1.2, whose HTTP binding sends a message with the media type
    application/soap+xml; text/xml is SOAP 1.1's and tells a strict Central System the
    message is of the wrong SOAP version."""
    sent = await provoke_requests(cs, charge_point)
    for record in sent:
        kind = media_type(record.content_type)
        if kind != SOAP12_MEDIA_TYPE:
            raise CaseFailed(f"{label(record)} came with Content-Type {record.content_type!r}, "
                             f"not {SOAP12_MEDIA_TYPE}", evidence=(record.seq,))
