"""Typed OCPP messages: one dataclass per operation, direction and version.

The classes are generated from our schemas by ``tools/gen_messages.py``; this module
is the lookup API over them.
"""

from __future__ import annotations

from functools import cache

from ocppcert.messages.base import Complex, Kind, Message, MessageDecodeError
from ocppcert.messages.ops import Op
from ocppcert.messages.registry import MESSAGES, OPERATIONS
from ocppcert.versions import OcppVersion, Service, spec_for

__all__ = [
    "Complex",
    "Kind",
    "Message",
    "MessageDecodeError",
    "Op",
    "message_class",
    "message_for_element",
    "operations",
]


def operations(version: OcppVersion | str, service: Service | str) -> tuple[Op, ...]:
    """The operations of one service of one version, in WSDL order."""
    return OPERATIONS[(OcppVersion(version), Service(service))]


def message_class(
    version: OcppVersion | str, service: Service | str, op: Op | str, kind: Kind | str
) -> type[Message]:
    """The class of one message; KeyError if the version's service lacks the operation."""
    return MESSAGES[(OcppVersion(version), Service(service), Op(op), Kind(kind))]


@cache
def _by_qname() -> dict[str, type[Message]]:
    return {cls.qname(): cls for cls in MESSAGES.values()}


def message_for_element(tag: str) -> type[Message] | None:
    """The class whose body element has this Clark-notation tag, if any."""
    return _by_qname().get(tag)


def service_namespace(version: OcppVersion | str, service: Service | str) -> str:
    return spec_for(version, service).namespace
