"""Validation of OCPP SOAP messages: four named checks, one verdict.

- ``xml``: the hardened parser accepts the bytes (well-formed, no DTD/entities, size).
- ``envelope``: a SOAP 1.2 Envelope with an optional Header and a Body holding one element.
- ``headers``: chargeBoxIdentity and the WS-Addressing properties OCPP-S §3 requires.
- ``body``: the payload is an OCPP message of a known version and validates against its schema.

libxml2 (lxml) validates the whole envelope in one pass: the envelope schema imports
WS-Addressing and every OCPP namespace, and its Header/Body wildcards are "lax", so every
known header block and body element is checked against its own declaration. Only when
the body fails does xmlschema re-check it, to explain the failure precisely.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from typing import TYPE_CHECKING

from lxml import etree

from ocppcert import ns
from ocppcert.messages import Kind, message_for_element
from ocppcert.messages.registry import MESSAGES
from ocppcert.schema.sources import SchemaSource, load_source, schemas_root
from ocppcert.soap.envelope import BODY, ENVELOPE, FAULT, HEADER, split_envelope
from ocppcert.soap.faults import FaultSubcode
from ocppcert.soap.headers import Headers, read_header_values
from ocppcert.versions import OcppVersion, Service, ServiceSpec, spec_for, spec_for_namespace
from ocppcert.xml import DEFAULT_MAX_BYTES, XmlRejected, parse

if TYPE_CHECKING:  # xmlschema is imported only when a failure needs explaining: it is slow
    import xmlschema  # to import, and most runs of `ocppcert validate` never need it.


class Check(str, Enum):
    XML = "xml"
    ENVELOPE = "envelope"
    HEADERS = "headers"
    BODY = "body"

    def __str__(self) -> str:
        return self.value


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"  # a real-world variant the spec does not allow; an error in strict mode


@dataclass(frozen=True, slots=True)
class Violation:
    check: Check
    where: str
    reason: str
    line: int | None = None
    severity: Severity = Severity.ERROR
    expected: str | None = None
    actual: str | None = None

    def __str__(self) -> str:
        at = f" (line {self.line})" if self.line else ""
        return f"[{self.check}] {self.where}: {self.reason}{at}"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "check": self.check.value,
            "where": self.where,
            "reason": self.reason,
            "line": self.line,
            "severity": self.severity.value,
        }
        if self.expected is not None:
            out["expected"] = self.expected
        if self.actual is not None:
            out["actual"] = self.actual
        return out


@dataclass(slots=True)
class MessageReport:
    """The verdict on one message and what was learnt about it."""

    violations: list[Violation] = field(default_factory=list)  # errors (warnings too, if strict)
    warnings: list[Violation] = field(default_factory=list)
    ocpp_version: OcppVersion | None = None
    service: Service | None = None
    operation: str | None = None
    kind: str | None = None  # "request" | "response" | "fault"
    root: etree._Element | None = None
    header_values: dict[str, str | None] | None = None  # Headers fields; see ``headers``

    @property
    def headers(self) -> Headers | None:
        """The OCPP header set, if the message got as far as having an envelope."""
        return None if self.header_values is None else Headers(**self.header_values)  # type: ignore[arg-type]

    @property
    def valid(self) -> bool:
        return not self.violations

    def as_dict(self) -> dict[str, object]:
        return {
            "valid": self.valid,
            "ocpp_version": self.ocpp_version.value if self.ocpp_version else None,
            "service": self.service.value if self.service else None,
            "operation": self.operation,
            "kind": self.kind,
            "violations": [v.as_dict() for v in self.violations],
            "warnings": [v.as_dict() for v in self.warnings],
        }


class ValidationError(ValueError):
    """Raised by :func:`validate`; carries the full report."""

    def __init__(self, report: MessageReport) -> None:
        first = report.violations[0] if report.violations else None
        super().__init__(str(first) if first else "invalid message")
        self.report = report


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$", re.I)
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_PATH_PREFIX = re.compile(r"\w+:")
_CLARK = re.compile(r"\{[^}]*\}|\btns:")
_SOAP_ATTRIBUTE_ON_BLOCK = re.compile(
    r"attribute '\{" + re.escape(ns.SOAP12) + r"\}(mustUnderstand|role|relay|encodingStyle)'"
    r".*is not allowed"
)


# lxml resolves a schema's imports through its parser's resolvers; compiling in several
# threads at once was seen to lose imports (a body then went unchecked), so compile one
# at a time. Validation itself runs in parallel, each thread with its own compiled schema.
_COMPILE_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Body:
    """What the body element's tag alone says about a message."""

    spec: ServiceSpec
    operation: str
    kind: str
    action: str  # the wsa:Action OCPP-S gives this message


@cache
def _bodies() -> dict[str, _Body]:
    found = {}
    for (version, service, op, kind), cls in MESSAGES.items():
        suffix = "Response" if kind is Kind.RESPONSE else ""
        found[cls.qname()] = _Body(spec_for(version, service), op.value, kind.value,
                                   f"/{op.value}{suffix}")
    return found


_XS_ELEMENT = f"{{{ns.XSD}}}element"


def _allow_soap_attributes_on_charge_box_identity(xsd: bytes) -> bytes:
    """SOAP 1.2 (Part 1 §5.2) lets every header block carry env:mustUnderstand, role and
    relay, but the OCPP schemas declare chargeBoxIdentity as a bare xs:string. Widen the
    declaration in the compiled copy, so that such a block passes without an error to
    filter out."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    root = etree.fromstring(xsd, parser)
    for element in root.findall(_XS_ELEMENT):
        if element.get("name", "").lower() != "chargeboxidentity" or len(element):
            continue
        base = element.attrib.pop("type", None)
        if base is None:
            continue
        complex_type = etree.SubElement(element, f"{{{ns.XSD}}}complexType")
        content = etree.SubElement(complex_type, f"{{{ns.XSD}}}simpleContent")
        extension = etree.SubElement(content, f"{{{ns.XSD}}}extension", base=base)
        etree.SubElement(extension, f"{{{ns.XSD}}}anyAttribute", namespace=ns.SOAP12,
                         processContents="lax")
    return etree.tostring(root)


class _MemoryResolver(etree.Resolver):
    def __init__(self, documents: dict[str, bytes]) -> None:
        super().__init__()
        self.documents = documents

    def resolve(self, url, pubid, context):  # type: ignore[no-untyped-def]
        if url in self.documents:
            return self.resolve_string(self.documents[url], context)
        return None  # anything else falls through to no_network/no-file refusal


class Validator:
    """Checks OCPP SOAP messages against one schema source.

    Thread-safe: each thread gets its own compiled libxml2 schema.
    """

    def __init__(
        self,
        source: SchemaSource | str = "builtin",
        *,
        strict: bool = False,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.source = load_source(source) if isinstance(source, str) else source
        self.strict = strict
        self.max_bytes = max_bytes
        self._local = threading.local()
        self._explainers: dict[str, xmlschema.XMLSchema] = {}
        self._explainer_lock = threading.Lock()
        _ = self.schema  # compile now, so a broken source fails at construction

    # -- schema building ---------------------------------------------------------------
    @property
    def schema(self) -> etree.XMLSchema:
        compiled = getattr(self._local, "schema", None)
        if compiled is None:
            with _COMPILE_LOCK:
                compiled = self._local.schema = self._compile()
        return compiled

    def _compile(self) -> etree.XMLSchema:
        root = schemas_root()
        documents = {"ocppcert:wsa": (root / "soap" / "ws-addressing.xsd").read_bytes()}
        imports = [(ns.WSA, "ocppcert:wsa")]
        for i, (namespace, xsd) in enumerate(sorted(self.source.documents.items())):
            url = f"ocppcert:ocpp/{i}"
            documents[url] = _allow_soap_attributes_on_charge_box_identity(xsd)
            imports.append((namespace, url))
        parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
        parser.resolvers.add(_MemoryResolver(documents))
        driver = etree.parse(str(root / "soap" / "soap-envelope-1.2.xsd"), parser)
        xsd_root = driver.getroot()
        for position, (namespace, url) in enumerate(imports):
            imp = etree.Element(f"{{{ns.XSD}}}import", namespace=namespace, schemaLocation=url)
            xsd_root.insert(position, imp)
        return etree.XMLSchema(driver)

    def _explainer(self, namespace: str) -> xmlschema.XMLSchema | None:
        with self._explainer_lock:
            if namespace not in self._explainers:
                xsd = self.source.documents.get(namespace)
                if xsd is None:
                    return None
                import xmlschema

                self._explainers[namespace] = xmlschema.XMLSchema(xsd.decode("utf-8"))
            return self._explainers[namespace]

    # -- the public API ---------------------------------------------------------------
    def check(
        self,
        data: bytes | etree._Element,
        *,
        ocpp_version: OcppVersion | str | None = None,
        strict: bool | None = None,
        explain: bool = True,
    ) -> MessageReport:
        """Run every check on one message and return the full report (never raises on bad input).

        With ``explain=False`` a body that fails the schema keeps libxml2's terser reasons
        instead of xmlschema's precise ones: the verdict is the same, and cheaper.
        """
        report = MessageReport()
        expected_version = OcppVersion(ocpp_version) if ocpp_version not in (None, "auto") else None
        if isinstance(data, bytes):
            try:
                root = parse(data, max_bytes=self.max_bytes)
            except XmlRejected as exc:
                report.violations.append(Violation(Check.XML, "/", exc.reason, exc.line))
                return report
        else:
            root = data
        report.root = root
        header, payload = _plain_envelope(root)
        if payload is None:  # anything unusual: take the envelope apart the careful way
            parts = split_envelope(root)
            for problem in parts.problems:
                report.violations.append(
                    Violation(Check.ENVELOPE, problem.where, problem.reason, problem.line)
                )
            if parts.body is None:
                return report
            header, payload = parts.header, parts.payload
        headers, blocks = read_header_values(header)
        report.header_values = headers
        body = None
        if payload is not None:
            body = self._identify(payload, expected_version, report)
        self._schema_pass(root, payload, report, explain)
        self._check_headers(headers, header, blocks, report, payload, body)
        if payload is not None and payload.tag == FAULT:
            self._check_fault(payload, report)
        strict = self.strict if strict is None else strict
        if strict and report.warnings:
            report.violations.extend(
                Violation(w.check, w.where, w.reason, w.line, Severity.ERROR, w.expected, w.actual)
                for w in report.warnings
            )
        return report

    def is_valid(self, data: bytes | etree._Element, **options: object) -> bool:
        return self.check(data, explain=False, **options).valid  # type: ignore[arg-type]

    def validate(self, data: bytes | etree._Element, **options: object) -> MessageReport:
        report = self.check(data, **options)  # type: ignore[arg-type]
        if not report.valid:
            raise ValidationError(report)
        return report

    def iter_violations(self, data: bytes | etree._Element, **options: object) -> Iterator[Violation]:
        yield from self.check(data, **options).violations  # type: ignore[arg-type]

    # -- the checks ---------------------------------------------------------------------
    def _identify(
        self, payload: etree._Element, expected: OcppVersion | None, report: MessageReport
    ) -> _Body | None:
        body = _bodies().get(payload.tag)
        if body is not None:  # the common case: a known OCPP message in its exact namespace
            report.ocpp_version = body.spec.version
            report.service = body.spec.service
            report.operation = body.operation
            report.kind = body.kind
            if expected is not None and body.spec.version is not expected:
                report.violations.append(_version_mismatch(payload, body.spec, expected))
            return body
        where = "/Envelope/Body/" + etree.QName(payload).localname
        if payload.tag == FAULT:
            report.kind = "fault"
            report.ocpp_version = expected
            return None
        namespace = etree.QName(payload).namespace
        spec = spec_for_namespace(namespace or "")
        if spec is None:
            report.violations.append(
                Violation(
                    Check.BODY,
                    where,
                    f"body element {payload.tag} is not in an OCPP namespace",
                    payload.sourceline,
                    actual=namespace,
                )
            )
            return None
        report.ocpp_version = spec.version
        report.service = spec.service
        if namespace != spec.namespace:
            report.violations.append(
                Violation(
                    Check.BODY,
                    where,
                    f"namespace {namespace!r} lacks the trailing slash of {spec.namespace!r}",
                    payload.sourceline,
                    expected=spec.namespace,
                    actual=namespace,
                )
            )
        if expected is not None and spec.version is not expected:
            report.violations.append(_version_mismatch(payload, spec, expected))
        cls = message_for_element(payload.tag)
        if cls is None:
            report.violations.append(
                Violation(
                    Check.BODY,
                    where,
                    f"no OCPP {spec.version} {spec.service} operation has a body element "
                    f"named {etree.QName(payload).localname!r}",
                    payload.sourceline,
                )
            )
            return None
        report.operation = cls.OP.value
        report.kind = cls.KIND.value
        return None

    def _schema_pass(
        self,
        root: etree._Element,
        payload: etree._Element | None,
        report: MessageReport,
        explain: bool,
    ) -> None:
        schema = self.schema
        if schema.validate(root):
            return
        body_failed = False
        for entry in schema.error_log:
            check = _check_for_path(entry.path)
            if check is Check.HEADERS and _SOAP_ATTRIBUTE_ON_BLOCK.search(entry.message):
                # SOAP 1.2 lets every header block carry env:mustUnderstand/role/relay, but
                # the OCPP schemas declare chargeBoxIdentity as a bare xs:string.
                continue
            if explain and check is Check.BODY and payload is not None and payload.tag != FAULT:
                body_failed = True
                continue
            report.violations.append(
                Violation(check, _plain_path(entry.path), entry.message, entry.line or None)
            )
        if body_failed:
            report.violations.extend(self._explain_body(payload, schema))

    def _explain_body(self, payload: etree._Element, schema: etree.XMLSchema) -> list[Violation]:
        namespace = etree.QName(payload).namespace or ""
        explainer = self._explainer(namespace)
        found: list[Violation] = []
        if explainer is not None:
            for error in explainer.iter_errors(payload):
                path = _CLARK.sub("", error.path or "/" + etree.QName(payload).localname)
                found.append(
                    Violation(
                        Check.BODY,
                        "/Envelope/Body" + path,
                        _reason(error),
                        getattr(error, "sourceline", None),
                        expected=_expected(error),
                        actual=_actual(error),
                    )
                )
        if not found:  # xmlschema disagreed or could not load: keep libxml2's word
            for entry in schema.error_log:
                if _check_for_path(entry.path) is Check.BODY:
                    found.append(
                        Violation(Check.BODY, _plain_path(entry.path), entry.message, entry.line)
                    )
        return found

    def _check_headers(
        self,
        headers: dict[str, str | None],
        header: etree._Element | None,
        blocks: dict[str, etree._Element],
        report: MessageReport,
        payload: etree._Element | None,
        body: _Body | None,
    ) -> None:
        errors, warnings = report.violations, report.warnings

        def add(where: str, reason: str, *, warn: bool = False, **kw: str | None) -> None:
            block = blocks.get(_HEADER_FIELDS.get(where, ""))
            line = block.sourceline if block is not None else (
                header.sourceline if header is not None else None
            )
            target = warnings if warn else errors
            target.append(
                Violation(
                    Check.HEADERS, "/Envelope/Header" + where, reason, line,
                    Severity.WARNING if warn else Severity.ERROR, **kw,
                )
            )

        if header is None:
            add("", "missing SOAP Header: OCPP requires WS-Addressing headers on every message")
            return
        kind = report.kind
        action = headers.get("action")
        message_id = headers.get("message_id")
        charge_box_identity = headers.get("charge_box_identity")
        from_address = headers.get("from_address")
        reply_to = headers.get("reply_to")
        # Action (required on every message)
        if not action:
            add("/Action", "missing wsa:Action header")
        elif kind in ("request", "response") and report.operation:
            if body is not None:
                expected = body.action
            else:
                expected = "/" + report.operation + ("Response" if kind == "response" else "")
            if action != expected:
                if action.endswith(expected) and _ABSOLUTE_URI.match(action):
                    add(
                        "/Action",
                        f"fully qualified wsa:Action {action!r} (as Apache CXF sends); "
                        f"OCPP gives {expected!r}",
                        warn=True,
                        expected=expected,
                        actual=action,
                    )
                else:
                    add(
                        "/Action",
                        f"wsa:Action {action!r} does not match the body: expected {expected!r}",
                        expected=expected,
                        actual=action,
                    )
        # MessageID (required on every message)
        if not message_id:
            add("/MessageID", "missing wsa:MessageID header")
        elif not _URN_UUID.match(message_id):
            if _UUID.match(message_id):
                add(
                    "/MessageID",
                    f"wsa:MessageID {message_id!r} is a bare UUID, not a URI; "
                    "expected urn:uuid:<uuid>",
                    expected="urn:uuid:<uuid>",
                    actual=message_id,
                )
            elif not _ABSOLUTE_URI.match(message_id):
                add(
                    "/MessageID",
                    f"wsa:MessageID {message_id!r} is not an absolute URI",
                    actual=message_id,
                )
            else:
                add(
                    "/MessageID",
                    f"wsa:MessageID {message_id!r} is not of the form urn:uuid:<uuid>",
                    warn=True,
                    actual=message_id,
                )
        if kind in ("response", "fault"):
            if not headers.get("relates_to"):
                if kind == "fault":
                    # WS-Addressing 1.0 Core §3.4: a reply relates to the [message id] of
                    # the message it answers. A fault may answer a message whose MessageID
                    # could not be read (not XML, no header): it has nothing to relate to.
                    # One message alone cannot tell, so this is a warning here; the exchange
                    # (the harness, a case) judges it knowing the request.
                    add("/RelatesTo", "fault without wsa:RelatesTo: required unless the "
                        "request's MessageID could not be read", warn=True)
                else:
                    add("/RelatesTo",
                        "missing wsa:RelatesTo: a response names the request it answers")
            return
        if kind != "request":
            return
        if headers.get("relates_to"):
            add("/RelatesTo", "wsa:RelatesTo on a request", warn=True)
        to_charge_point = report.service is Service.CHARGE_POINT
        if charge_box_identity is None:
            add("/chargeBoxIdentity", "missing chargeBoxIdentity header: every request carries it")
        elif not charge_box_identity:
            add("/chargeBoxIdentity", "empty chargeBoxIdentity header")
        elif payload is not None:
            namespace = body.spec.namespace if body is not None else etree.QName(payload).namespace
            cbi_namespace = headers.get("charge_box_identity_namespace")
            if cbi_namespace != namespace:
                add(
                    "/chargeBoxIdentity",
                    f"chargeBoxIdentity in namespace {cbi_namespace!r}; "
                    f"the service binds it in {namespace!r}",
                    warn=True,
                    expected=namespace,
                    actual=cbi_namespace,
                )
        if from_address is None:
            if to_charge_point:
                add(
                    "/From",
                    "no wsa:From on a Central System request (as Apache CXF sends)",
                    warn=True,
                )
            else:
                add(
                    "/From",
                    "missing wsa:From: the Central System learns the charge point's address from it",
                )
        elif from_address in ("", ns.WSA_ANONYMOUS, ns.WSA_NONE):
            add(
                "/From",
                f"wsa:From address {from_address!r} is not where the sender listens",
                warn=to_charge_point,
            )
        if reply_to is None:
            if to_charge_point:
                add("/ReplyTo", "no wsa:ReplyTo on a Central System request", warn=True)
            else:
                add("/ReplyTo", "missing wsa:ReplyTo header")
        elif reply_to != ns.WSA_ANONYMOUS:
            add(
                "/ReplyTo",
                f"wsa:ReplyTo {reply_to!r} is not anonymous: OCPP replies synchronously",
                expected=ns.WSA_ANONYMOUS,
                actual=reply_to,
            )
        if not headers.get("to"):
            add("/To", "missing wsa:To header")

    def _check_fault(self, fault: etree._Element, report: MessageReport) -> None:
        s = f"{{{ns.SOAP12}}}"
        for text in fault.iterfind(f"{s}Reason/{s}Text"):
            if text.get(f"{{{ns.XML}}}lang") is None:
                report.violations.append(
                    Violation(
                        Check.BODY, "/Envelope/Body/Fault/Reason/Text",
                        "fault reason text lacks xml:lang", text.sourceline,
                    )
                )
        value = fault.find(f"{s}Code/{s}Subcode/{s}Value")
        if value is not None and value.text:
            local = value.text.strip().rpartition(":")[2]
            if local not in FaultSubcode._value2member_map_:
                report.warnings.append(
                    Violation(
                        Check.BODY, "/Envelope/Body/Fault/Code/Subcode",
                        f"fault subcode {local!r} is not one of OCPP's",
                        value.sourceline, Severity.WARNING,
                    )
                )


_HEADER_FIELDS = {
    "/Action": "action",
    "/MessageID": "message_id",
    "/RelatesTo": "relates_to",
    "/chargeBoxIdentity": "charge_box_identity",
    "/From": "from_address",
    "/ReplyTo": "reply_to",
    "/To": "to",
}


def _plain_envelope(
    root: etree._Element,
) -> tuple[etree._Element | None, etree._Element | None]:
    """(Header, payload) of the usual Envelope(Header, Body(payload)) with nothing else in
    it; (None, None) for any other shape, which :func:`split_envelope` then examines."""
    if root.tag != ENVELOPE or len(root) != 2:
        return None, None
    header, body = root
    if header.tag != HEADER or body.tag != BODY or len(body) != 1:
        return None, None
    payload = body[0]
    if not isinstance(payload.tag, str):
        return None, None
    text, tail = body.text, payload.tail
    if (text and not text.isspace()) or (tail and not tail.isspace()):
        return None, None
    return header, payload


def _version_mismatch(payload: etree._Element, spec: ServiceSpec, expected: OcppVersion) -> Violation:
    return Violation(
        Check.BODY,
        "/Envelope/Body/" + etree.QName(payload).localname,
        f"OCPP {spec.version} body (namespace {spec.namespace}) where OCPP {expected} was expected",
        payload.sourceline,
        expected=str(expected),
        actual=str(spec.version),
    )


def _check_for_path(path: str | None) -> Check:
    if not path:
        return Check.ENVELOPE
    segments = path.split("/")
    if len(segments) > 2:
        second = segments[2].rpartition(":")[2]
        if second == "Header":
            return Check.HEADERS
        if second == "Body" and len(segments) > 3:
            return Check.BODY
    return Check.ENVELOPE


def _plain_path(path: str | None) -> str:
    return _PATH_PREFIX.sub("", path or "/")


def _reason(error: xmlschema.XMLSchemaValidationError) -> str:
    from xmlschema import XMLSchemaDecodeError

    if isinstance(error, XMLSchemaDecodeError) and isinstance(error.obj, str):
        # xmlschema words these as Python conversion errors; say it in schema terms.
        type_name = getattr(error.validator, "prefixed_name", None) or "value"
        return f"{error.obj!r} is not a valid {_CLARK.sub('', type_name)}"
    reason = (error.reason or str(error.message)).strip()
    return _CLARK.sub("", reason).rstrip(".")


def _expected(error: xmlschema.XMLSchemaValidationError) -> str | None:
    expected = getattr(error, "expected", None)
    if expected:
        names = [getattr(p, "prefixed_name", None) or str(p) for p in expected]
        return ", ".join(n.rpartition(":")[2] if "}" not in n else n.rpartition("}")[2] for n in names)
    return None


def _actual(error: xmlschema.XMLSchemaValidationError) -> str | None:
    obj = error.obj
    if isinstance(obj, str):
        return obj
    if obj is not None and hasattr(obj, "tag"):
        text = (obj.text or "").strip()
        if text and len(obj) == 0:
            return text
    return None


# -- module-level API over one shared validator per (source, strict) ---------------------
@cache
def default_validator(source: str = "builtin", strict: bool = False) -> Validator:
    return Validator(source, strict=strict)


def check(data: bytes | etree._Element, *, ocpp_version: str | None = None, strict: bool = False,
          schemas: str = "builtin") -> MessageReport:
    return default_validator(schemas, strict).check(data, ocpp_version=ocpp_version)


def validate(data: bytes | etree._Element, *, ocpp_version: str | None = None, strict: bool = False,
             schemas: str = "builtin") -> MessageReport:
    """Return the report of a valid message; raise :class:`ValidationError` otherwise."""
    return default_validator(schemas, strict).validate(data, ocpp_version=ocpp_version)


def is_valid(data: bytes | etree._Element, *, ocpp_version: str | None = None, strict: bool = False,
             schemas: str = "builtin") -> bool:
    return default_validator(schemas, strict).is_valid(data, ocpp_version=ocpp_version)


def iter_violations(data: bytes | etree._Element, *, ocpp_version: str | None = None,
                    strict: bool = False, schemas: str = "builtin") -> Iterator[Violation]:
    """Each reason the message is invalid: where, reason, line (and check, expected, actual)."""
    return default_validator(schemas, strict).iter_violations(data, ocpp_version=ocpp_version)


__all__ = [
    "Check",
    "MessageReport",
    "Severity",
    "ValidationError",
    "Validator",
    "Violation",
    "check",
    "default_validator",
    "is_valid",
    "iter_violations",
    "validate",
    "Kind",
]
