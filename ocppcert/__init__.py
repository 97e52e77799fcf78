"""ocppcert: conformance test suite for OCPP 1.2, 1.5 and 1.6 over SOAP."""

from __future__ import annotations

__version__ = "0.1.0"
