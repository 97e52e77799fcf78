"""OCPP versions and services as data: namespaces, schema files, direction.

Operations per version and service come from the generated message registry
(``ocppcert.messages``), so nothing here repeats a name table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from ocppcert import ns


class OcppVersion(str, Enum):
    V12 = "1.2"
    V15 = "1.5"
    V16 = "1.6"

    def __str__(self) -> str:
        return self.value


class Service(str, Enum):
    """The two SOAP services: each side of OCPP serves one and calls the other."""

    CENTRAL_SYSTEM = "CentralSystemService"  # charge point -> Central System
    CHARGE_POINT = "ChargePointService"  # Central System -> charge point

    def __str__(self) -> str:
        return self.value

    @property
    def opposite(self) -> Service:
        """The service the server of this one calls."""
        return Service.CHARGE_POINT if self is Service.CENTRAL_SYSTEM else Service.CENTRAL_SYSTEM


@dataclass(frozen=True, slots=True)
class ServiceSpec:
    version: OcppVersion
    service: Service
    namespace: str

    @property
    def schema_file(self) -> str:
        """Path of the XSD below the schemas root."""
        return f"ocpp/{self.version.value}/{self.service.value}.xsd"

    @property
    def wsdl_file(self) -> str:
        return f"ocpp/{self.version.value}/{self.service.value}.wsdl"


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(OcppVersion.V12, Service.CENTRAL_SYSTEM, ns.CS_2010_08),
    ServiceSpec(OcppVersion.V12, Service.CHARGE_POINT, ns.CP_2010_08),
    ServiceSpec(OcppVersion.V15, Service.CENTRAL_SYSTEM, ns.CS_2012_06),
    ServiceSpec(OcppVersion.V15, Service.CHARGE_POINT, ns.CP_2012_06),
    ServiceSpec(OcppVersion.V16, Service.CENTRAL_SYSTEM, ns.CS_2015_10),
    ServiceSpec(OcppVersion.V16, Service.CHARGE_POINT, ns.CP_2015_10),
)

BY_NAMESPACE: dict[str, ServiceSpec] = {s.namespace: s for s in SERVICES}
BY_VERSION_SERVICE: dict[tuple[OcppVersion, Service], ServiceSpec] = {
    (s.version, s.service): s for s in SERVICES
}


def spec_for(version: OcppVersion | str, service: Service | str) -> ServiceSpec:
    return BY_VERSION_SERVICE[(OcppVersion(version), Service(service))]


def spec_for_namespace(namespace: str) -> ServiceSpec | None:
    """The service a body namespace belongs to; tolerates a missing trailing slash."""
    found = BY_NAMESPACE.get(namespace)
    if found is None and not namespace.endswith("/"):
        found = BY_NAMESPACE.get(namespace + "/")
    return found
