"""A third-party SOAP stack (zeep) reads our WSDLs and agrees with our messages.

For every message of every version zeep parses our body, renders it back, and the result
decodes to the same typed message; for every request zeep builds a whole envelope from our
WSDL (header binding, wsaw:Action) that our validator accepts, bar the wsa:From zeep
never sends.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from lxml import etree
from zeep import Client, Settings
from zeep.helpers import serialize_object

from ocppcert.messages import Kind, operations
from ocppcert.messages.registry import MESSAGES
from ocppcert.schema import Check, check
from ocppcert.schema.sources import schemas_root
from ocppcert.versions import SERVICES, spec_for


@cache
def client(version: str, service: str) -> Client:
    wsdl = schemas_root() / spec_for(version, service).wsdl_file
    return Client(str(wsdl), settings=Settings(strict=True, xml_huge_tree=False))


@pytest.mark.parametrize("spec", SERVICES, ids=[f"{s.version}-{s.service}" for s in SERVICES])
def test_zeep_loads_every_wsdl_with_every_operation(spec: Any) -> None:
    c = client(spec.version.value, spec.service.value)
    binding = c.wsdl.bindings[f"{{{spec.namespace}}}{spec.service.value}Soap"]
    assert set(binding._operations) == {op.value for op in operations(spec.version, spec.service)}
    for name, operation in binding._operations.items():
        assert operation.soapaction == f"/{name}"


KEYS = sorted(MESSAGES, key=lambda k: (k[0].value, k[1].value, k[2].value, k[3].value))


@pytest.mark.parametrize("key", KEYS, ids=["-".join(str(p) for p in k) for k in KEYS])
def test_zeep_parses_and_renders_our_bodies(key: tuple[Any, ...], fixture_tools: Any) -> None:
    cls = MESSAGES[key]
    c = client(cls.VERSION, cls.SERVICE)
    message = fixture_tools.sample(cls, full=True)
    element = c.get_element(cls.qname())
    value = element.parse(message.to_element(), c.wsdl.types)
    if value is None:
        # zeep reads an empty complex type as None and renders only its own empty instance.
        assert not cls.wire_fields()
        value = element()
    rendered = etree.Element("wrapper")
    element.render(rendered, value)
    assert cls.from_element(rendered[0]) == message


REQUESTS = [k for k in KEYS if k[3] is Kind.REQUEST]


@pytest.mark.parametrize("key", REQUESTS, ids=["-".join(str(p) for p in k[:3]) for k in REQUESTS])
def test_zeep_builds_requests_our_validator_accepts(key: tuple[Any, ...], fixture_tools: Any) -> None:
    cls = MESSAGES[key]
    c = client(cls.VERSION, cls.SERVICE)
    service = c.create_service(f"{{{cls.NAMESPACE}}}{cls.SERVICE}Soap", "http://127.0.0.1:9/")
    value = c.get_element(cls.qname()).parse(fixture_tools.sample(cls, full=True).to_element(), c.wsdl.types)
    kwargs = serialize_object(value, dict) or {}
    envelope = c.create_message(service, cls.OP.value, **kwargs, _soapheaders={"ChargeBoxIdentity": "CP-9"})
    report = check(etree.tostring(envelope))
    assert (report.operation, report.kind) == (cls.OP.value, "request")
    assert report.headers.action == f"/{cls.OP.value}"
    assert report.headers.charge_box_identity == "CP-9"
    errors = [v for v in report.violations if not (v.check is Check.HEADERS and v.where.endswith(("/From", "/ReplyTo")))]
    assert errors == [], errors
