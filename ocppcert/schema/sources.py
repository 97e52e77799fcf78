"""Where the XSDs come from: ours (builtin), the OCA's (official), or a user's directory.

A :class:`SchemaSource` maps each OCPP service namespace to XSD text. The SOAP 1.2
envelope and WS-Addressing schemas are always ours: the OCA files do not carry them.
"""

from __future__ import annotations

import copy
import hashlib
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from lxml import etree

from ocppcert import ns
from ocppcert.versions import BY_NAMESPACE, SERVICES

XS_SCHEMA = f"{{{ns.XSD}}}schema"
XS_IMPORT = f"{{{ns.XSD}}}import"


class SchemaSourceError(Exception):
    """A schema source cannot be loaded; the message is one line for the user."""


def schemas_root() -> Path:
    """The bundled schemas/ directory: in a source checkout, or installed package data."""
    checkout = Path(__file__).resolve().parent.parent.parent / "schemas"
    if (checkout / "soap").is_dir():
        return checkout
    bundled = Path(str(resources.files("ocppcert") / "_schemas"))
    if (bundled / "soap").is_dir():
        return bundled
    raise SchemaSourceError("the bundled schemas are missing from this installation")


def official_cache_dir() -> Path:
    """Where tools/fetch_official_schemas.py puts the OCA WSDLs (never committed)."""
    if env := os.environ.get("OCPPCERT_SCHEMA_CACHE"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ocppcert" / "official"


@dataclass(frozen=True)
class SchemaSource:
    name: str  # "builtin", "official", or the directory given
    documents: dict[str, bytes]  # OCPP namespace -> standalone XSD text
    sha256: dict[str, str] = field(default_factory=dict)  # file name -> hash of the file read

    def missing(self) -> list[str]:
        return [s.namespace for s in SERVICES if s.namespace not in self.documents]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _standalone(schema: etree._Element) -> bytes:
    """An embedded xs:schema as its own document, keeping the prefixes it inherited."""
    root = etree.Element(schema.tag, attrib=dict(schema.attrib), nsmap=schema.nsmap)
    for child in schema:
        root.append(copy.deepcopy(child))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _safe_parse(path: Path) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    try:
        return etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise SchemaSourceError(f"cannot read schema file {path}: {exc}") from None


def _schemas_in(path: Path) -> list[tuple[str, bytes]]:
    """(targetNamespace, standalone XSD) for each OCPP schema in a .wsdl or .xsd file."""
    root = _safe_parse(path)
    candidates = [root] if root.tag == XS_SCHEMA else list(root.iter(XS_SCHEMA))
    found = []
    for schema in candidates:
        target = schema.get("targetNamespace")
        if target in BY_NAMESPACE:
            found.append((target, _standalone(schema)))
            continue
        # A WSDL that imports its XSD (as ours do): follow the local schemaLocation.
        for imp in schema.findall(XS_IMPORT):
            location = imp.get("schemaLocation")
            if imp.get("namespace") in BY_NAMESPACE and location and "://" not in location:
                found.extend(_schemas_in(path.parent / location))
    return found


def directory_source(directory: Path, name: str | None = None) -> SchemaSource:
    """Every OCPP schema found in the *.wsdl and *.xsd files below ``directory``."""
    if not directory.is_dir():
        raise SchemaSourceError(f"schema directory {directory} does not exist")
    documents: dict[str, bytes] = {}
    hashes: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        if path.suffix.lower() not in (".wsdl", ".xsd") or not path.is_file():
            continue
        for namespace, xsd in _schemas_in(path):
            if namespace in documents:
                continue  # first file wins; duplicates (same WSDL in two packages) are ignored
            documents[namespace] = xsd
            hashes[str(path.relative_to(directory))] = _sha256(path)
    if not documents:
        raise SchemaSourceError(f"no OCPP schema (.wsdl or .xsd) found in {directory}")
    return SchemaSource(name or str(directory), documents, hashes)


def builtin_source() -> SchemaSource:
    root = schemas_root()
    documents = {}
    hashes = {}
    for spec in SERVICES:
        path = root / spec.schema_file
        documents[spec.namespace] = path.read_bytes()
        hashes[spec.schema_file] = _sha256(path)
    for extra in ("soap/soap-envelope-1.2.xsd", "soap/ws-addressing.xsd"):
        hashes[extra] = _sha256(root / extra)
    return SchemaSource("builtin", documents, hashes)


def official_source(cache: Path | None = None) -> SchemaSource:
    cache = cache or official_cache_dir()
    if not cache.is_dir():
        raise SchemaSourceError(
            f"official OCA schemas not found in {cache}: "
            "fetch them with 'python tools/fetch_official_schemas.py'"
        )
    source = directory_source(cache, "official")
    if missing := source.missing():
        raise SchemaSourceError(f"official schemas in {cache} lack namespace(s) {', '.join(missing)}")
    return source


def load_source(spec: str) -> SchemaSource:
    """``builtin``, ``official`` or a directory path, as ``--schemas`` takes it."""
    if spec == "builtin":
        return builtin_source()
    if spec == "official":
        return official_source()
    return directory_source(Path(spec))
