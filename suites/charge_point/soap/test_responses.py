"""How the charge point answers the Central System's requests on the wire: synchronously,
in the request's OCPP version, as SOAP 1.2, with the WS-Addressing headers of a reply
(OCPP-S 1.6 §3, OCPP 1.5 §8, OCPP 1.2 §8).

Each case sends a few harmless commands (ClearCache, ChangeConfiguration and, from 1.5 on,
GetConfiguration and DataTransfer) and judges every answer.
"""

from __future__ import annotations

from lxml import etree

from ocppcert.catalog import case
from ocppcert.messages import Kind, message_class
from ocppcert.transport.http import SOAP12_MEDIA_TYPE, media_type
from ocppcert.verdicts import CaseFailed

from .wire import CP, answers_to_harmless_commands, namespace_of, response_of

REPLY_SPEC = {"1.6": "OCPP-S 1.6 §3 (Action, MessageID, RelatesTo)", "1.5": "OCPP 1.5 §8.1",
              "1.2": "OCPP 1.2 §8 (SOAP header)"}


@case(own="SOAP_008_CS", title="wsa:Action of each answer is the operation's response action",
      sut="charge-point", profile="SOAP", spec=REPLY_SPEC)
async def test_response_action(cs, charge_point, case_version):
    """The charge point's answer to a request carries the WS-Addressing Action of the
    operation's response: a slash, the operation name and ``Response``
    (``/ClearCacheResponse``), not the request's action."""
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        response_of(ex, case_version, op)
        action = ex.headers.action
        if action != op.response_action:
            raise CaseFailed(f"the answer to {op.value} has wsa:Action {action!r}, expected "
                             f"{op.response_action!r}", evidence=ex.evidence)


@case(own="SOAP_009_CS", title="wsa:RelatesTo of each answer names the request's MessageID",
      sut="charge-point", profile="SOAP", spec=REPLY_SPEC)
async def test_response_relates_to(cs, charge_point, case_version):
    """Every answer carries wsa:RelatesTo with the MessageID of the request it answers, so
    that the Central System can tell which request it belongs to."""
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        response_of(ex, case_version, op)
        sent = ex.request_headers.message_id if ex.request_headers else None
        relates_to = ex.headers.relates_to
        if relates_to is None:
            raise CaseFailed(f"the answer to {op.value} carries no wsa:RelatesTo",
                             evidence=ex.evidence)
        if relates_to != sent:
            raise CaseFailed(f"the answer to {op.value} relates to {relates_to!r}; the request's "
                             f"MessageID was {sent!r}", evidence=ex.evidence)


@case(own="SOAP_010_CS", title="Each answer has a MessageID of its own",
      sut="charge-point", profile="SOAP", spec=REPLY_SPEC)
async def test_response_message_id(cs, charge_point, case_version):
    """An answer is a message like any other and carries its own wsa:MessageID: an absolute
    URI, not the request's MessageID and not one used for another message."""
    seen: dict[str, int] = {}
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        response_of(ex, case_version, op)
        message_id = ex.headers.message_id
        if not message_id:
            raise CaseFailed(f"the answer to {op.value} carries no wsa:MessageID",
                             evidence=ex.evidence)
        if ":" not in message_id:
            raise CaseFailed(f"the answer to {op.value} has wsa:MessageID {message_id!r}, not a "
                             "URI", evidence=ex.evidence)
        if ex.request_headers and message_id == ex.request_headers.message_id:
            raise CaseFailed(f"the answer to {op.value} repeats the request's MessageID "
                             f"{message_id!r} as its own", evidence=ex.evidence)
        if message_id in seen:
            raise CaseFailed(f"the answer to {op.value} reuses wsa:MessageID {message_id!r} of "
                             f"#{seen[message_id]}", evidence=(seen[message_id], ex.answer.seq))
        seen[message_id] = ex.answer.seq


@case(own="SOAP_012_CS", title="Answers travel as application/soap+xml",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2; SOAP 1.2 Part 2 §7.1.4", "1.5": "OCPP 1.5 §8; SOAP 1.2 Part 2 "
            "§7.1.4", "1.2": "OCPP 1.2 §8; SOAP 1.2 Part 2 §7.1.4"})
async def test_response_media_type(cs, charge_point, case_version):
    """The answer is a SOAP 1.2 message, so the HTTP response carrying it has the media type
    application/soap+xml (text/xml would announce SOAP 1.1)."""
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        response_of(ex, case_version, op)
        if media_type(ex.content_type) != SOAP12_MEDIA_TYPE:
            raise CaseFailed(f"the answer to {op.value} came with Content-Type "
                             f"{ex.content_type!r}, not {SOAP12_MEDIA_TYPE}", evidence=ex.evidence)


@case(own="SOAP_014_CS", title="Answers come synchronously, in the request's HTTP exchange",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3.2 (SOAP synchronicity)", "1.5": "OCPP 1.5 §8; WSDL "
            "request-response over the SOAP 1.2 HTTP binding", "1.2": "OCPP 1.2 §8; WSDL "
            "request-response over the SOAP 1.2 HTTP binding"})
async def test_synchronous_answer(cs, charge_point, case_version):
    """OCPP over SOAP is synchronous: the response to a request is the body of the HTTP
    response to the POST that carried it (status 200), not an empty acknowledgement
    followed by a separate message later."""
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        expected = message_class(case_version, CP, op, Kind.RESPONSE)
        if ex.status != 200 or ex.payload is None:
            raise CaseFailed(f"{op.value} was answered {ex.describe()}; its "
                             f"{expected.ELEMENT} must come in that HTTP response, with status "
                             "200", evidence=ex.evidence)
        if etree.QName(ex.payload).localname != expected.ELEMENT:
            raise CaseFailed(f"the HTTP response to {op.value} holds "
                             f"{etree.QName(ex.payload).localname}, not {expected.ELEMENT}",
                             evidence=ex.evidence)


@case(own="SOAP_021_CS", title="Answers come in the request's OCPP version",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §8 (namespaces); OCPP 1.6 §3", "1.5": "OCPP 1.5 §8, WSDL "
            "urn://Ocpp/Cp/2012/06/", "1.2": "OCPP 1.2 §8, WSDL urn://Ocpp/Cp/2010/08/"})
async def test_answer_in_request_version(cs, charge_point, case_version):
    """A request in one OCPP version's namespace is answered in that same namespace, with
    that version's response element: the versions are not interchangeable (1.6 is not
    backward compatible with 1.5)."""
    expected_ns = namespace_of(case_version)
    for op, ex in await answers_to_harmless_commands(cs, charge_point):
        payload = ex.payload
        if payload is None or ex.fault is not None:
            raise CaseFailed(f"{op.value} was answered {ex.describe()}", evidence=ex.evidence)
        got = etree.QName(payload).namespace
        if got != expected_ns:
            raise CaseFailed(f"the OCPP {case_version.value} request {op.value} was answered in "
                             f"namespace {got!r}, not {expected_ns!r}", evidence=ex.evidence)
        response_of(ex, case_version, op)
