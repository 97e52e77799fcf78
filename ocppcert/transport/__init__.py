"""HTTP for SOAP 1.2: one aiohttp server endpoint and one client, for harness and reference."""

from ocppcert.transport.http import (
    Availability,
    HttpReply,
    HttpRequestInfo,
    SoapClient,
    SoapServer,
    TransportError,
)
from ocppcert.transport.recorder import Direction, WireRecord, WireRecorder, log_line

__all__ = [
    "Availability",
    "Direction",
    "HttpReply",
    "HttpRequestInfo",
    "SoapClient",
    "SoapServer",
    "TransportError",
    "WireRecord",
    "WireRecorder",
    "log_line",
]
