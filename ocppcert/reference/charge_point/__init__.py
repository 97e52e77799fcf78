"""The reference charge point: station behaviour, local authorisation, smart charging.

``ReferenceChargePoint`` (station.py) is one OCPP 1.2/1.5/1.6 SOAP charge point;
``ChargePointControl`` (control.py) its HTTP JSON control API; ``main.serve`` runs both
(``ocppcert serve charge-point``). Names are imported lazily so that importing one
submodule does not load the others.
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "ReferenceChargePoint": "station",
    "ChargePointTraits": "station",
    "BootState": "station",
    "ChargePointControl": "control",
    "Clock": "clock",
    "Configuration": "config",
    "TransactionQueue": "queue",
    "LocalAuthorization": "auth",
    "ChargingProfiles": "smart_charging",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
