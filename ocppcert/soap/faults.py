"""SOAP 1.2 faults with the OCPP subcodes (OCPP 1.5 §8.2, OCPP-S 1.6 §4)."""

from __future__ import annotations

from enum import Enum

from lxml import etree

from ocppcert import ns
from ocppcert.soap.envelope import FAULT, envelope_element, serialize
from ocppcert.soap.headers import Headers, new_message_id


class FaultCode(str, Enum):
    SENDER = "Sender"
    RECEIVER = "Receiver"
    MUST_UNDERSTAND = "MustUnderstand"
    VERSION_MISMATCH = "VersionMismatch"
    DATA_ENCODING_UNKNOWN = "DataEncodingUnknown"


class FaultSubcode(str, Enum):
    SECURITY_ERROR = "SecurityError"
    IDENTITY_MISMATCH = "IdentityMismatch"
    PROTOCOL_ERROR = "ProtocolError"
    INTERNAL_ERROR = "InternalError"
    NOT_SUPPORTED = "NotSupported"

    @property
    def code(self) -> FaultCode:
        """The top-level code the OCPP specs pair with this subcode."""
        if self in (FaultSubcode.INTERNAL_ERROR, FaultSubcode.NOT_SUPPORTED):
            return FaultCode.RECEIVER
        return FaultCode.SENDER


class SoapFault(Exception):
    """A SOAP 1.2 fault, raised by a handler or read from the wire.

    ``subcode`` is a :class:`FaultSubcode` when it is one of OCPP's, otherwise the raw
    local name: the errata say a receiver SHALL accept any subcode.
    """

    def __init__(
        self,
        subcode: FaultSubcode | str | None,
        reason: str,
        *,
        code: FaultCode | str | None = None,
        subcode_namespace: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(reason)
        if isinstance(subcode, str) and not isinstance(subcode, FaultSubcode):
            try:
                subcode = FaultSubcode(subcode)
            except ValueError:
                pass
        self.subcode = subcode
        self.reason = reason
        if code is None:
            code = subcode.code if isinstance(subcode, FaultSubcode) else FaultCode.RECEIVER
        self.code = FaultCode(code)
        self.subcode_namespace = subcode_namespace
        self.detail = detail

    def __repr__(self) -> str:
        sub = getattr(self.subcode, "value", self.subcode)
        return f"SoapFault({self.code.value}/{sub}: {self.reason!r})"

    def to_element(self, subcode_namespace: str | None = None) -> etree._Element:
        sub_ns = subcode_namespace or self.subcode_namespace
        nsmap = {"s": ns.SOAP12}
        if sub_ns:
            nsmap["o"] = sub_ns
        fault = etree.Element(FAULT, nsmap=nsmap)
        code = etree.SubElement(fault, f"{{{ns.SOAP12}}}Code")
        etree.SubElement(code, f"{{{ns.SOAP12}}}Value").text = f"s:{self.code.value}"
        if self.subcode is not None:
            subcode = etree.SubElement(code, f"{{{ns.SOAP12}}}Subcode")
            name = getattr(self.subcode, "value", self.subcode)
            value = etree.SubElement(subcode, f"{{{ns.SOAP12}}}Value")
            value.text = f"o:{name}" if sub_ns else name
        reason = etree.SubElement(fault, f"{{{ns.SOAP12}}}Reason")
        text = etree.SubElement(reason, f"{{{ns.SOAP12}}}Text")
        text.set(f"{{{ns.XML}}}lang", "en")
        text.text = self.reason
        if self.detail:
            etree.SubElement(fault, f"{{{ns.SOAP12}}}Detail").text = self.detail
        return fault

    @classmethod
    def from_element(cls, fault: etree._Element) -> SoapFault:
        """Read a Fault element leniently: whatever a peer sent, keep what can be read."""

        def qname_text(el: etree._Element | None) -> tuple[str | None, str | None]:
            if el is None or not el.text:
                return None, None
            text = el.text.strip()
            prefix, _, local = text.rpartition(":")
            return el.nsmap.get(prefix or None), local

        s = f"{{{ns.SOAP12}}}"
        _, code = qname_text(fault.find(f"{s}Code/{s}Value"))
        sub_ns, sub = qname_text(fault.find(f"{s}Code/{s}Subcode/{s}Value"))
        reason = fault.findtext(f"{s}Reason/{s}Text") or ""
        detail = fault.find(f"{s}Detail")
        detail_text = etree.tostring(detail, encoding="unicode") if detail is not None else None
        try:
            parsed_code: FaultCode | None = FaultCode(code) if code else None
        except ValueError:
            parsed_code = FaultCode.RECEIVER
        return cls(sub, reason.strip(), code=parsed_code, subcode_namespace=sub_ns, detail=detail_text)


def build_fault(
    fault: SoapFault, *, request_headers: Headers | None = None, subcode_namespace: str | None = None
) -> bytes:
    """A complete fault message answering a request (RelatesTo its MessageID)."""
    headers = Headers(
        action=ns.WSA_FAULT_ACTION,
        message_id=new_message_id(),
        relates_to=request_headers.message_id if request_headers else None,
    )
    payload = fault.to_element(subcode_namespace)
    return serialize(envelope_element(headers, payload, ocpp_namespace=subcode_namespace or ""))
