"""Endpoints that serve one OCPP service and call the other: the base of harness and reference."""

from ocppcert.roles.endpoint import CallContext, Endpoint, ProtocolViolation, RemoteFault, handles

__all__ = ["CallContext", "Endpoint", "ProtocolViolation", "RemoteFault", "handles"]
