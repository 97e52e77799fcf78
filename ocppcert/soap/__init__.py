"""SOAP 1.2 envelopes with OCPP and WS-Addressing headers, and SOAP faults."""

from __future__ import annotations

from ocppcert.soap.envelope import Envelope, EnvelopeError, build_envelope, parse_envelope
from ocppcert.soap.faults import FaultCode, FaultSubcode, SoapFault, build_fault
from ocppcert.soap.headers import Headers, new_message_id

__all__ = [
    "Envelope",
    "EnvelopeError",
    "FaultCode",
    "FaultSubcode",
    "Headers",
    "SoapFault",
    "build_envelope",
    "build_fault",
    "new_message_id",
    "parse_envelope",
]
