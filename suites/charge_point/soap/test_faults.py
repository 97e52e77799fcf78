"""What the charge point does with requests it cannot or must not process, and with the
variants real Central Systems send (OCPP-S 1.6 §3-4 and §6, OCPP 1.5 §8.1-8.2, OCPP 1.2
§8; SOAP 1.2).

A request it cannot process gets a SOAP 1.2 fault with OCPP's code and subcode, on the
same HTTP exchange, with the HTTP status SOAP 1.2 pairs with the code; the request is not
carried out, and the charge point goes on serving. Where a case needs to see that a
refused request was not carried out, the request is ChangeConfiguration
HeartbeatInterval=1: carried out, it would show at once as Heartbeats.
"""

from __future__ import annotations

import gzip
import zlib

from lxml import etree

from ocppcert import ns
from ocppcert.catalog import case
from ocppcert.messages import Op
from ocppcert.soap import FaultCode, FaultSubcode
from ocppcert.soap.envelope import as_soap11, serialize
from ocppcert.soap.headers import CHARGE_BOX_IDENTITY
from ocppcert.verdicts import CaseFailed
from ocppcert.versions import OcppVersion, Service

from .wire import (
    SOAP11_CONTENT_TYPE,
    deliver,
    heartbeat_key,
    malformed_heartbeat_change,
    namespace_of,
    refused_and_still_serving,
    request_envelope,
    require_fault,
    response_of,
    station_url,
)

FAULT_SPEC = {"1.6": "OCPP-S 1.6 §4 (SOAP Fault); OCPP-S errata 2019 §3.1",
              "1.5": "OCPP 1.5 §8.2", "1.2": "OCPP 1.2 §8 (SOAP Fault)"}
# A later version's operation, unknown in this version's namespace.
_LATER_OPERATION = {OcppVersion.V12: "getConfiguration", OcppVersion.V15: "triggerMessage"}


def _probe_element(namespace: str, name: str) -> etree._Element:
    element = etree.Element(f"{{{namespace}}}{name}Request", nsmap={None: namespace})
    etree.SubElement(element, f"{{{namespace}}}probe").text = "1"
    return element


@case(own="SOAP_013_CS", title="NotSupported fault for an operation the charge point does "
      "not have", sut="charge-point", profile="SOAP", spec=FAULT_SPEC)
async def test_unknown_operation(cs, charge_point, case_version):
    """A request for an operation the charge point does not know cannot be answered with
    any response, so the charge point answers with a SOAP fault, code Receiver and subcode
    NotSupported: for an operation no OCPP version has, for one a later version added,
    and for a Central System operation sent to the charge point."""
    url = station_url(cs, charge_point)
    own = namespace_of(case_version)
    probes = [("the made-up operation OcppCertProbe", _probe_element(own, "ocppCertProbe"),
               "/OcppCertProbe")]
    later = _LATER_OPERATION.get(case_version)
    if later:
        action = "/" + later[0].upper() + later[1:]
        probes.append((f"{action[1:]}, which OCPP {case_version.value} does not have",
                       _probe_element(own, later), action))
    probes.append(("Heartbeat (a Central System operation)",
                   etree.Element(f"{{{namespace_of(case_version, Service.CENTRAL_SYSTEM)}}}"
                                 "heartbeatRequest"), Op.HEARTBEAT.request_action))
    for what, element, action in probes:
        root = request_envelope(cs, charge_point, element, action=action)
        ex = await deliver(cs, serialize(root), url=url, what=what, action=action,
                           deliberate=f"an operation the charge point does not serve: {what}")
        require_fault(ex, what, code=FaultCode.RECEIVER, subcodes=(FaultSubcode.NOT_SUPPORTED,))


@case(own="SOAP_015_CS", title="Requests without wsa:From and wsa:ReplyTo are served",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (From, ReplyTo); WS-Addressing 1.0 Core §3.2",
            "1.5": "OCPP 1.5 §8.1; WS-Addressing 1.0 Core §3.2",
            "1.2": "OCPP 1.2 §8; WS-Addressing 1.0 Core §3.2"})
async def test_request_without_from_reply_to(cs, charge_point, case_version):
    """Central Systems built on Apache CXF send their requests without wsa:From and
    wsa:ReplyTo. Both only matter for where an answer goes, and WS-Addressing makes a
    missing ReplyTo mean the anonymous address, which is where OCPP's synchronous answer
    goes anyway; so the charge point serves such a request normally and carries it out."""
    url = station_url(cs, charge_point)
    key = heartbeat_key(case_version)
    change = malformed_heartbeat_change(cs, charge_point)
    root = request_envelope(cs, charge_point, change, from_address=None, reply_to=None)
    ex = await deliver(cs, serialize(root), url=url, what=f"ChangeConfiguration {key}=1 without "
                       "wsa:From and wsa:ReplyTo", action=change.action,
                       deliberate="without wsa:From and wsa:ReplyTo, as Apache CXF sends")
    reply = response_of(ex, case_version, Op.CHANGE_CONFIGURATION)
    if reply.status.value != "Accepted":
        raise CaseFailed(f"ChangeConfiguration {key}=1 without wsa:From/ReplyTo was answered "
                         f"{reply.status.value}", evidence=ex.evidence)
    await cs.expect(Op.HEARTBEAT, timeout=10, what=f"Heartbeat after {key}=1 was accepted")
    root = request_envelope(cs, charge_point, cs.request(Op.CLEAR_CACHE), from_address=None,
                            reply_to=None)
    ex = await deliver(cs, serialize(root), url=url, what="ClearCache without wsa:From and "
                       "wsa:ReplyTo", action=Op.CLEAR_CACHE.request_action,
                       deliberate="without wsa:From and wsa:ReplyTo, as Apache CXF sends")
    response_of(ex, case_version, Op.CLEAR_CACHE)


@case(own="SOAP_016_CS", title="ProtocolError fault for a request that is not XML, and "
      "serving on", sut="charge-point", profile="SOAP", spec=FAULT_SPEC)
async def test_unreadable_request(cs, charge_point, case_version):
    """Bytes that are not a well-formed XML document (garbage, or an envelope cut off in
    the middle) are a message that does not comply with the protocol: the charge point
    answers with a SOAP fault, code Sender and subcode ProtocolError, does not act on
    whatever part it could read, and keeps serving well-formed requests."""
    url = station_url(cs, charge_point)
    whole = serialize(request_envelope(cs, charge_point,
                                       malformed_heartbeat_change(cs, charge_point)))
    cut = whole[: whole.index(b"</") + 2]  # ends inside the first closing tag
    for what, data in (("a request that is not XML", b"this is not <xml at all"),
                       ("an envelope cut off in the middle", cut)):
        ex = await deliver(cs, data, url=url, what=what,
                           action=Op.CHANGE_CONFIGURATION.request_action,
                           deliberate=f"malformed: {what}", relates_to_expected=False)
        require_fault(ex, what, code=FaultCode.SENDER, subcodes=(FaultSubcode.PROTOCOL_ERROR,))
    await refused_and_still_serving(cs, charge_point, "a request that was not XML")


def _with_unknown_element(cs, charge_point) -> etree._Element:
    change = malformed_heartbeat_change(cs, charge_point)
    root = request_envelope(cs, charge_point, change)
    payload = root.find(f"{{{ns.SOAP12}}}Body/{{{change.NAMESPACE}}}{change.ELEMENT}")
    etree.SubElement(payload, f"{{{change.NAMESPACE}}}priority").text = "high"
    return root


def _with_text_connector(cs, charge_point) -> etree._Element:
    unlock = cs.request(Op.UNLOCK_CONNECTOR, connectorId=1)
    root = request_envelope(cs, charge_point, unlock)
    connector = root.find(f".//{{{unlock.NAMESPACE}}}connectorId")
    connector.text = "one"
    return root


@case(own="SOAP_017_CS", title="ProtocolError fault for a schema-invalid request, not carried "
      "out", sut="charge-point", profile="SOAP", spec=FAULT_SPEC)
async def test_schema_invalid_request(cs, charge_point, case_version):
    """A request whose body breaks the operation's schema (an element the schema does not
    have, a number that is not a number) does not comply with the protocol: the charge
    point answers with a SOAP fault, code Sender and subcode ProtocolError, does not carry
    the request out in part, and keeps serving."""
    url = station_url(cs, charge_point)
    key = heartbeat_key(case_version)
    for what, root, op in (
            (f"ChangeConfiguration {key}=1 with an element the schema does not have",
             _with_unknown_element(cs, charge_point), Op.CHANGE_CONFIGURATION),
            ("UnlockConnector with connectorId 'one'", _with_text_connector(cs, charge_point),
             Op.UNLOCK_CONNECTOR)):
        ex = await deliver(cs, serialize(root), url=url, what=what, action=op.request_action,
                           deliberate=f"schema-invalid: {what}")
        require_fault(ex, what, code=FaultCode.SENDER, subcodes=(FaultSubcode.PROTOCOL_ERROR,))
    await refused_and_still_serving(cs, charge_point, "a schema-invalid ChangeConfiguration")


# WS-Addressing 1.0 SOAP Binding §6.4.1 names this subcode for a missing required header.
_ADDRESSING_HEADER_REQUIRED = "MessageAddressingHeaderRequired"


@case(own="SOAP_018_CS", title="ProtocolError fault for a request without wsa:Action",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (Action), §4", "1.5": "OCPP 1.5 §8.1, §8.2",
            "1.2": "OCPP 1.2 §8"})
async def test_request_without_action(cs, charge_point, case_version):
    """wsa:Action is a required header of every OCPP request: a request without it does
    not comply, so the charge point answers with a Sender fault (subcode ProtocolError,
    or WS-Addressing's MessageAddressingHeaderRequired) instead of guessing the operation
    from the body, does not carry it out, and keeps serving."""
    key = heartbeat_key(case_version)
    what = f"ChangeConfiguration {key}=1 without wsa:Action"
    root = request_envelope(cs, charge_point, malformed_heartbeat_change(cs, charge_point),
                            action=None)
    ex = await deliver(cs, serialize(root), url=station_url(cs, charge_point), what=what,
                       deliberate="without wsa:Action")
    require_fault(ex, what, code=FaultCode.SENDER,
                  subcodes=(FaultSubcode.PROTOCOL_ERROR, _ADDRESSING_HEADER_REQUIRED))
    await refused_and_still_serving(cs, charge_point, "a request without wsa:Action")


@case(own="SOAP_019_CS", title="ProtocolError fault for a wsa:Action that contradicts the body",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (Action), §4", "1.5": "OCPP 1.5 §8.1, §8.2",
            "1.2": "OCPP 1.2 §8"})
async def test_action_contradicts_body(cs, charge_point, case_version):
    """The Action header says which operation a request is; a request whose Action names
    one operation (/ClearCache) and whose body is another (a ChangeConfiguration) does not
    comply, and the charge point answers with a Sender/ProtocolError fault rather than
    carrying out either, and keeps serving."""
    key = heartbeat_key(case_version)
    what = f"a ChangeConfiguration {key}=1 body with wsa:Action /ClearCache"
    root = request_envelope(cs, charge_point, malformed_heartbeat_change(cs, charge_point),
                            action=Op.CLEAR_CACHE.request_action)
    ex = await deliver(cs, serialize(root), url=station_url(cs, charge_point), what=what,
                       action=Op.CLEAR_CACHE.request_action,
                       deliberate="with a wsa:Action that contradicts the body")
    require_fault(ex, what, code=FaultCode.SENDER, subcodes=(FaultSubcode.PROTOCOL_ERROR,))
    await refused_and_still_serving(cs, charge_point, "a request whose Action contradicts "
                                    "its body")


@case(own="SOAP_020_CS", title="VersionMismatch fault for a SOAP 1.1 envelope, and serving on",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A",
            "1.5": "OCPP 1.5 §8 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A",
            "1.2": "OCPP 1.2 §8 (SOAP 1.2); SOAP 1.2 Part 1 §5.4.7, App. A"})
async def test_soap11_envelope(cs, charge_point, case_version):
    """OCPP speaks SOAP 1.2 only. A SOAP 1.2 node that gets a SOAP 1.1 envelope answers
    with a VersionMismatch fault (SOAP 1.2 Appendix A asks for it in SOAP 1.1 form, with an
    Upgrade header naming SOAP 1.2; a SOAP 1.2 VersionMismatch fault is accepted too), does
    not process the message, and keeps serving SOAP 1.2 requests."""
    key = heartbeat_key(case_version)
    what = f"ChangeConfiguration {key}=1 in a SOAP 1.1 envelope"
    change = malformed_heartbeat_change(cs, charge_point)
    envelope = as_soap11(request_envelope(cs, charge_point, change))
    ex = await deliver(cs, serialize(envelope), url=station_url(cs, charge_point), what=what,
                       content_type=SOAP11_CONTENT_TYPE,
                       http_headers={"SOAPAction": f'"{change.action}"'},
                       deliberate="in a SOAP 1.1 envelope", relates_to_expected=False,
                       soap11_answer_allowed=True)
    if ex.is_soap11:
        code = ex.soap11_fault_code
        if code != "VersionMismatch":
            raise CaseFailed(f"{what} was answered in SOAP 1.1 with "
                             f"{'faultcode ' + code if code else 'no fault'}, not a "
                             "VersionMismatch fault", evidence=ex.evidence)
        if ex.status != 500:
            raise CaseFailed(f"the VersionMismatch fault came with HTTP {ex.status}, not 500",
                             evidence=ex.evidence)
    else:
        require_fault(ex, what, code=FaultCode.VERSION_MISMATCH)
    await refused_and_still_serving(cs, charge_point, "a SOAP 1.1 request")


@case(own="SOAP_022_CS", title="gzip- and deflate-compressed requests are served",
      sut="charge-point", profile="SOAP", versions=("1.6",),
      spec={"1.6": "OCPP-S 1.6 §6 (HTTP compression)"})
async def test_compressed_requests(cs, charge_point, case_version):
    """Both sides of OCPP-S must support HTTP compression with gzip and deflate: a request
    whose body is compressed (Content-Encoding gzip or deflate) is served like any other."""
    url = station_url(cs, charge_point)
    key = heartbeat_key(case_version)
    change = cs.request(Op.CHANGE_CONFIGURATION, key=key, value="600")
    for encoding, compress, message in (("gzip", gzip.compress, change),
                                        ("deflate", zlib.compress,
                                         cs.request(Op.CLEAR_CACHE))):
        data = serialize(request_envelope(cs, charge_point, message))
        ex = await deliver(cs, data, url=url, what=f"{message.OP.value} sent {encoding}-compressed",
                           action=message.action, wire_data=compress(data),
                           http_headers={"Content-Encoding": encoding})
        response_of(ex, case_version, message.OP)


@case(own="SOAP_023_CS", title="Fault for a request without chargeBoxIdentity, not carried out",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (chargeBoxIdentity), §4", "1.5": "OCPP 1.5 §8.1, §8.2",
            "1.2": "OCPP 1.2 §8"})
async def test_request_without_identity(cs, charge_point, case_version):
    """A Central System's request names the charge point it is meant for in chargeBoxIdentity;
    one without it does not comply, and the charge point cannot tell it is the addressee.
    It answers with a Sender fault (ProtocolError, or IdentityMismatch) and does not carry
    the request out."""
    key = heartbeat_key(case_version)
    what = f"ChangeConfiguration {key}=1 without chargeBoxIdentity"
    root = request_envelope(cs, charge_point, malformed_heartbeat_change(cs, charge_point),
                            charge_box_identity=None)
    ex = await deliver(cs, serialize(root), url=station_url(cs, charge_point), what=what,
                       action=Op.CHANGE_CONFIGURATION.request_action,
                       deliberate="without chargeBoxIdentity")
    require_fault(ex, what, code=FaultCode.SENDER,
                  subcodes=(FaultSubcode.PROTOCOL_ERROR, FaultSubcode.IDENTITY_MISMATCH))
    await refused_and_still_serving(cs, charge_point, "a request without chargeBoxIdentity")


@case(own="SOAP_024_CS", title="chargeBoxIdentity header name in any letter case",
      sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §3 (chargeBoxIdentity)", "1.5": "OCPP 1.5 §8.1",
            "1.2": "OCPP 1.2 §8"})
async def test_identity_header_name_case(cs, charge_point, case_version):
    """The name of the chargeBoxIdentity header is case-insensitive: a request whose
    header is spelt ChargeBoxIdentity or CHARGEBOXIDENTITY, naming this charge point, is
    served like any other."""
    url = station_url(cs, charge_point)
    key = heartbeat_key(case_version)
    for spelling, message in (("ChargeBoxIdentity",
                               cs.request(Op.CHANGE_CONFIGURATION, key=key, value="600")),
                              (CHARGE_BOX_IDENTITY.upper(), cs.request(Op.CLEAR_CACHE))):
        root = request_envelope(cs, charge_point, message)
        block = root.find(f"{{{ns.SOAP12}}}Header/{{{message.NAMESPACE}}}{CHARGE_BOX_IDENTITY}")
        block.tag = f"{{{message.NAMESPACE}}}{spelling}"
        ex = await deliver(cs, serialize(root), url=url,
                           what=f"{message.OP.value} with the header spelt {spelling}",
                           action=message.action, deliberate=f"with the header spelt {spelling}")
        response_of(ex, case_version, message.OP)


_PROBE_HEADER_NS = "urn:ocppcert:probe:header"


def _with_unknown_header(cs, charge_point, message, *, mandatory: bool) -> etree._Element:
    root = request_envelope(cs, charge_point, message)
    block = etree.SubElement(root.find(f"{{{ns.SOAP12}}}Header"),
                             f"{{{_PROBE_HEADER_NS}}}Priority", nsmap={"p": _PROBE_HEADER_NS})
    block.set(f"{{{ns.SOAP12}}}mustUnderstand", "true" if mandatory else "false")
    block.text = "high"
    return root


@case(own="SOAP_025_CS", title="MustUnderstand fault for a mandatory header block it does not "
      "know", sut="charge-point", profile="SOAP",
      spec={"1.6": "OCPP-S 1.6 §2 (SOAP 1.2), §3; SOAP 1.2 Part 1 §2.4, §5.2.3, §5.4.8",
            "1.5": "OCPP 1.5 §8 (SOAP 1.2); SOAP 1.2 Part 1 §2.4, §5.2.3, §5.4.8",
            "1.2": "OCPP 1.2 §8 (SOAP 1.2); SOAP 1.2 Part 1 §2.4, §5.2.3, §5.4.8"})
async def test_must_understand(cs, charge_point, case_version):
    """OCPP marks its own headers mustUnderstand, relying on SOAP 1.2's processing model: a
    node that gets a header block marked mustUnderstand="true" which it does not
    understand must not process the message and answers with a MustUnderstand fault
    (naming the block in a NotUnderstood header, where it does). A block it does not know
    that is not mandatory is ignored, and the request served."""
    url = station_url(cs, charge_point)
    key = heartbeat_key(case_version)
    optional = cs.request(Op.CHANGE_CONFIGURATION, key=key, value="600")
    what = f"ChangeConfiguration {key}=600 with an unknown optional header block"
    ex = await deliver(cs, serialize(_with_unknown_header(cs, charge_point, optional,
                                                          mandatory=False)),
                       url=url, what=what, action=optional.action)
    response_of(ex, case_version, Op.CHANGE_CONFIGURATION)
    what = f"ChangeConfiguration {key}=1 with an unknown mandatory header block"
    root = _with_unknown_header(cs, charge_point, malformed_heartbeat_change(cs, charge_point),
                                mandatory=True)
    ex = await deliver(cs, serialize(root), url=url, what=what,
                       action=Op.CHANGE_CONFIGURATION.request_action,
                       deliberate="with a mandatory header block nobody understands")
    require_fault(ex, what, code=FaultCode.MUST_UNDERSTAND)
    named = [b.get("qname", "") for b in ex.root.iterfind(
        f"{{{ns.SOAP12}}}Header/{{{ns.SOAP12}}}NotUnderstood")]
    if named and not any(n.rpartition(":")[2] == "Priority" for n in named):
        raise CaseFailed(f"the MustUnderstand fault names {named} as not understood, not the "
                         "Priority block", evidence=ex.evidence)
    await refused_and_still_serving(cs, charge_point, "a request with a mandatory header block "
                                    "nobody understands")
