#!/usr/bin/env python3
"""Write ocppcert's OCPP XSD and WSDL files from the message tables.

The input is the structural description of every OCPP 1.2/1.5/1.6 SOAP message
(``shared/ocpp-messages.md``: one table per complex type, one per set of simple
types, one per service's operations). The output is our own schema text, one
XSD and one WSDL per version and service, under ``schemas/ocpp/<version>/``.

The output is committed; run this again only when the tables change::

    python tools/gen_schemas.py [--tables ../shared/ocpp-messages.md] [--out schemas/ocpp]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import quoteattr

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TABLES = ROOT.parent / "shared" / "ocpp-messages.md"
DEFAULT_OUT = ROOT / "schemas" / "ocpp"

SERVICES = {"CS": "CentralSystemService", "CP": "ChargePointService"}
SERVICE_HEADINGS = {
    "Central System service": "CentralSystemService",
    "Charge Point service": "ChargePointService",
}


@dataclass
class Attribute:
    name: str
    type: str
    required: bool


@dataclass
class Field:
    name: str
    type: str  # "xs:int", a named type, or "" for an inline simple-content type
    min_occurs: str | None  # None: the attribute is left at the XSD default
    max_occurs: str | None
    text_type: str | None = None  # inline simple content: the text's type
    attributes: list[Attribute] = field(default_factory=list)


@dataclass
class ComplexType:
    name: str
    fields: list[Field]


@dataclass
class SimpleType:
    name: str
    base: str
    facets: list[tuple[str, str]]
    enumeration: list[str]


@dataclass
class Operation:
    name: str
    request_element: str
    response_element: str
    request_action: str
    response_action: str


@dataclass
class ServiceSchema:
    version: str
    service: str
    namespace: str = ""
    operations: list[Operation] = field(default_factory=list)
    complex_types: list[ComplexType] = field(default_factory=list)
    simple_types: list[SimpleType] = field(default_factory=list)
    elements: dict[str, str] = field(default_factory=dict)  # body element -> type


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _type_name(cell: str) -> str:
    link = re.match(r"\[(\w+)\]", cell)
    if link:
        return link.group(1)
    if cell.startswith("xs:"):
        return cell.split()[0]
    if cell.startswith("inline complex type"):
        return ""
    raise ValueError(f"unreadable type cell {cell!r}")


def _occurs(cell: str) -> tuple[str | None, str | None]:
    m = re.match(r"(\d+)\.\.(\d+|unbounded)( \(default\))?", cell)
    if not m:
        raise ValueError(f"unreadable occurs cell {cell!r}")
    if m.group(3):
        return None, None
    return m.group(1), m.group(2)


def _table_rows(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """Rows of the first markdown table at or after ``start``, and the index after it."""
    i = start
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    rows = []
    i += 2  # header and separator
    while i < len(lines) and lines[i].startswith("|"):
        rows.append(_cells(lines[i]))
        i += 1
    return rows, i


def parse_tables(text: str) -> list[ServiceSchema]:
    lines = text.splitlines()
    schemas: dict[tuple[str, str], ServiceSchema] = {}

    def schema(version: str, service: str) -> ServiceSchema:
        return schemas.setdefault((version, service), ServiceSchema(version, service))

    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"### (1\.\d) — (Central System service|Charge Point service) ", line)
        if m:
            target = schema(m.group(1), SERVICE_HEADINGS[m.group(2)])
            ns = re.search(r"Namespace `([^`]+)`", "\n".join(lines[i : i + 4]))
            assert ns, line
            target.namespace = ns.group(1)
            rows, i = _table_rows(lines, i + 1)
            for row in rows:
                op = re.match(r"\[(\w+)\]", row[1]).group(1)
                strip = lambda s: s.strip("`")  # noqa: E731
                response_action = strip(row[6])
                if response_action == "not declared":
                    # The WSDL leaves it open; OCPP-S §3 and the 1.5 spec §8 give /<Op>Response.
                    response_action = f"/{op}Response"
                target.operations.append(
                    Operation(op, strip(row[2]), strip(row[3]), strip(row[5]), response_action)
                )
            continue
        m = re.match(r"#### (1\.\d) (CentralSystemService|ChargePointService) · (\w+)", line)
        if m:
            target = schema(m.group(1), m.group(2))
            j = i + 1
            while j < len(lines) and not lines[j].startswith("#"):
                b = re.match(r"(?:Request|Response) body element `(\w+)`, type \[(\w+)\]", lines[j])
                if b:
                    target.elements[b.group(1)] = b.group(2)
                j += 1
            i = j
            continue
        m = re.match(r"##### (1\.\d) (CS|CP) complex type (\w+)", line)
        if m:
            target = schema(m.group(1), SERVICES[m.group(2)])
            j = i + 1
            while not lines[j].startswith("Content model:"):
                j += 1
            if lines[j].startswith("Content model: empty"):
                target.complex_types.append(ComplexType(m.group(3), []))
                i = j + 1
                continue
            assert lines[j].startswith("Content model: sequence"), lines[j]
            rows, i = _table_rows(lines, j + 1)
            fields: list[Field] = []
            for row in rows:
                name, kind, type_cell, occurs = row[1].strip("`"), row[2], row[3], row[4]
                if kind == "element":
                    lo, hi = _occurs(occurs)
                    fields.append(Field(name, _type_name(type_cell), lo, hi))
                elif kind == "text":
                    owner = name.split("/")[0]
                    fields[-1].text_type = _type_name(type_cell)
                    assert fields[-1].name == owner
                elif kind == "attribute":
                    owner, attr = name.split("/@")
                    assert fields[-1].name == owner
                    fields[-1].attributes.append(
                        Attribute(attr, _type_name(type_cell), "use=required" in occurs)
                    )
                else:
                    raise ValueError(f"unknown field kind {kind!r} in {m.group(3)}")
            target.complex_types.append(ComplexType(m.group(3), fields))
            continue
        m = re.match(r"#### (1\.\d) (CentralSystemService|ChargePointService) — simple types", line)
        if m:
            target = schema(m.group(1), m.group(2))
            rows, i = _table_rows(lines, i + 1)
            for row in rows:
                name = re.sub(r"<a id=[^>]*></a>", "", row[0]).replace("‡", "").strip()
                facets = []
                if row[2] != "—":
                    for facet in row[2].split(","):
                        fname, fval = facet.split()
                        facets.append((fname, fval))
                enum = re.findall(r"`([^`]+)`", row[3])
                target.simple_types.append(SimpleType(name, row[1], facets, enum))
            continue
        i += 1
    result = list(schemas.values())
    for s in result:
        assert s.namespace and s.operations and s.complex_types, (s.version, s.service)
    return result


def _occurs_attrs(f: Field) -> str:
    out = ""
    if f.min_occurs is not None and f.min_occurs != "1":
        out += f' minOccurs="{f.min_occurs}"'
    if f.max_occurs is not None and f.max_occurs != "1":
        out += f' maxOccurs="{f.max_occurs}"'
    return out


def _qname(type_name: str) -> str:
    return type_name if type_name.startswith("xs:") else f"tns:{type_name}"


HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<!--
  OCPP {version} {service} message schema, written for ocppcert.
  Generated by tools/gen_schemas.py from the project's message tables; do not edit by hand.
-->
"""


def render_xsd(s: ServiceSchema) -> str:
    out = [HEADER.format(version=s.version, service=s.service)]
    out.append(
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="{s.namespace}"\n'
        f'           targetNamespace="{s.namespace}" elementFormDefault="qualified">\n'
    )
    out.append("\n  <!-- SOAP header block carried by every request (OCPP-S §3). -->\n")
    out.append('  <xs:element name="chargeBoxIdentity" type="xs:string"/>\n')
    out.append("\n  <!-- Simple types -->\n")
    for st in s.simple_types:
        out.append(f'  <xs:simpleType name="{st.name}">\n')
        out.append(f'    <xs:restriction base="{st.base}">\n')
        for fname, fval in st.facets:
            out.append(f'      <xs:{fname} value="{fval}"/>\n')
        for value in st.enumeration:
            out.append(f"      <xs:enumeration value={quoteattr(value)}/>\n")
        out.append("    </xs:restriction>\n  </xs:simpleType>\n")
    out.append("\n  <!-- Complex types -->\n")
    for ct in s.complex_types:
        if not ct.fields:
            out.append(f'  <xs:complexType name="{ct.name}"/>\n')
            continue
        out.append(f'  <xs:complexType name="{ct.name}">\n    <xs:sequence>\n')
        for f in ct.fields:
            if f.text_type is None:
                out.append(
                    f'      <xs:element name="{f.name}" type="{_qname(f.type)}"{_occurs_attrs(f)}/>\n'
                )
                continue
            out.append(f'      <xs:element name="{f.name}"{_occurs_attrs(f)}>\n')
            out.append("        <xs:complexType>\n          <xs:simpleContent>\n")
            out.append(f'            <xs:extension base="{_qname(f.text_type)}">\n')
            for a in f.attributes:
                use = "required" if a.required else "optional"
                out.append(
                    f'              <xs:attribute name="{a.name}" type="{_qname(a.type)}" use="{use}"/>\n'
                )
            out.append("            </xs:extension>\n")
            out.append("          </xs:simpleContent>\n        </xs:complexType>\n")
            out.append("      </xs:element>\n")
        out.append("    </xs:sequence>\n  </xs:complexType>\n")
    out.append("\n  <!-- Message bodies -->\n")
    for element, type_name in s.elements.items():
        out.append(f'  <xs:element name="{element}" type="tns:{type_name}"/>\n')
    out.append("</xs:schema>\n")
    return "".join(out)


def render_wsdl(s: ServiceSchema) -> str:
    ns = s.namespace
    svc = s.service
    out = [HEADER.format(version=s.version, service=svc)]
    out.append(
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"\n'
        '                  xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"\n'
        '                  xmlns:xs="http://www.w3.org/2001/XMLSchema"\n'
        '                  xmlns:wsaw="http://www.w3.org/2006/05/addressing/wsdl"\n'
        f'                  xmlns:tns="{ns}"\n'
        f'                  targetNamespace="{ns}" name="{svc}">\n'
    )
    out.append("  <wsdl:types>\n")
    out.append('    <xs:schema elementFormDefault="qualified">\n')
    out.append(f'      <xs:import namespace="{ns}" schemaLocation="{svc}.xsd"/>\n')
    out.append("    </xs:schema>\n  </wsdl:types>\n\n")
    out.append('  <wsdl:message name="Header">\n')
    out.append('    <wsdl:part name="ChargeBoxIdentity" element="tns:chargeBoxIdentity"/>\n')
    out.append("  </wsdl:message>\n")
    for op in s.operations:
        for suffix, element in (("Input", op.request_element), ("Output", op.response_element)):
            out.append(f'  <wsdl:message name="{op.name}{suffix}">\n')
            out.append(f'    <wsdl:part name="parameters" element="tns:{element}"/>\n')
            out.append("  </wsdl:message>\n")
    out.append(f'\n  <wsdl:portType name="{svc}">\n')
    for op in s.operations:
        out.append(f'    <wsdl:operation name="{op.name}">\n')
        out.append(
            f'      <wsdl:input message="tns:{op.name}Input" wsaw:Action="{op.request_action}"/>\n'
        )
        out.append(
            f'      <wsdl:output message="tns:{op.name}Output" wsaw:Action="{op.response_action}"/>\n'
        )
        out.append("    </wsdl:operation>\n")
    out.append("  </wsdl:portType>\n\n")
    out.append(f'  <wsdl:binding name="{svc}Soap" type="tns:{svc}">\n')
    out.append("    <wsaw:UsingAddressing/>\n")
    out.append(
        '    <soap12:binding transport="http://schemas.xmlsoap.org/soap/http" style="document"/>\n'
    )
    for op in s.operations:
        out.append(f'    <wsdl:operation name="{op.name}">\n')
        out.append(f'      <soap12:operation soapAction="{op.request_action}" style="document"/>\n')
        out.append("      <wsdl:input>\n")
        out.append('        <soap12:header message="tns:Header" part="ChargeBoxIdentity" use="literal"/>\n')
        out.append('        <soap12:body use="literal"/>\n')
        out.append("      </wsdl:input>\n")
        out.append('      <wsdl:output>\n        <soap12:body use="literal"/>\n      </wsdl:output>\n')
        out.append("    </wsdl:operation>\n")
    out.append("  </wsdl:binding>\n\n")
    out.append(f'  <wsdl:service name="{svc}">\n')
    out.append(f'    <wsdl:port name="{svc}Soap12" binding="tns:{svc}Soap">\n')
    out.append('      <soap12:address location="http://127.0.0.1/"/>\n')
    out.append("    </wsdl:port>\n  </wsdl:service>\n")
    out.append("</wsdl:definitions>\n")
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=Path, default=DEFAULT_TABLES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not args.tables.is_file():
        print(f"gen_schemas: no message tables at {args.tables}", file=sys.stderr)
        return 2
    for s in parse_tables(args.tables.read_text(encoding="utf-8")):
        target = args.out / s.version
        target.mkdir(parents=True, exist_ok=True)
        (target / f"{s.service}.xsd").write_text(render_xsd(s), encoding="utf-8")
        (target / f"{s.service}.wsdl").write_text(render_wsdl(s), encoding="utf-8")
        print(
            f"{s.version} {s.service}: {len(s.operations)} operations, "
            f"{len(s.complex_types)} complex types, {len(s.simple_types)} simple types"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
