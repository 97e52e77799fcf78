"""The reference Central System: OCPP 1.2/1.5/1.6 over SOAP, state in SQLite, a control API."""

from ocppcert.reference.central_system.control import CentralSystemControl
from ocppcert.reference.central_system.local_list import ListEntry, LocalListError, list_hash
from ocppcert.reference.central_system.server import CommandError, ReferenceCentralSystem
from ocppcert.reference.central_system.store import CentralSystemStore

__all__ = [
    "CentralSystemControl",
    "CentralSystemStore",
    "CommandError",
    "ListEntry",
    "LocalListError",
    "ReferenceCentralSystem",
    "list_hash",
]
