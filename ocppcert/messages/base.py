"""Runtime for the generated message classes: field metadata and XML conversion.

The generated modules (``v12``, ``v15``, ``v16``) declare one dataclass per complex
type, each field carrying its XML name, kind and cardinality in metadata. This module
turns instances into elements and back, driven only by that metadata.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, ClassVar, TypeVar

from lxml import etree


class Kind(str, Enum):
    REQUEST = "request"
    RESPONSE = "response"

    def __str__(self) -> str:
        return self.value


class FieldKind(str, Enum):
    ELEMENT = "element"
    ATTRIBUTE = "attribute"
    TEXT = "text"


@dataclasses.dataclass(frozen=True, slots=True)
class FieldInfo:
    xml_name: str
    type: Any  # str, int, bool, Decimal, dt.datetime, an Enum subclass, or a Complex subclass
    kind: FieldKind = FieldKind.ELEMENT
    min_occurs: int = 1
    max_occurs: int | None = 1  # None: unbounded
    max_length: int | None = None
    xsd_type: str | None = None  # set where the Python type loses a constraint (xs:anyURI)

    @property
    def repeated(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1


_META_KEY = "ocpp"


def ocpp_field(
    xml_name: str,
    type_: Any,
    *,
    kind: FieldKind = FieldKind.ELEMENT,
    min_occurs: int = 1,
    max_occurs: int | None = 1,
    max_length: int | None = None,
    xsd_type: str | None = None,
) -> Any:
    """A dataclass field carrying its wire description."""
    info = FieldInfo(xml_name, type_, kind, min_occurs, max_occurs, max_length, xsd_type)
    if info.repeated:
        return dataclasses.field(default_factory=list, metadata={_META_KEY: info})
    if min_occurs == 0:
        return dataclasses.field(default=None, metadata={_META_KEY: info})
    return dataclasses.field(metadata={_META_KEY: info})


class MessageDecodeError(ValueError):
    """An element does not fit the message class it was decoded as."""


def format_datetime(value: dt.datetime) -> str:
    if value.tzinfo is not None and value.utcoffset() == dt.timedelta(0):
        return value.replace(tzinfo=None).isoformat() + "Z"
    return value.isoformat()


def _to_text(value: Any) -> str:
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    return str(value)


def _from_text(text: str | None, type_: Any, where: str) -> Any:
    text = (text or "").strip() if type_ is not str else (text or "")
    try:
        if type_ is str:
            return text
        if type_ is int:
            return int(text)
        if type_ is bool:
            if text in ("true", "1"):
                return True
            if text in ("false", "0"):
                return False
            raise ValueError(text)
        if type_ is Decimal:
            return Decimal(text)
        if type_ is dt.datetime:
            return dt.datetime.fromisoformat(text)
        if isinstance(type_, type) and issubclass(type_, Enum):
            return type_(text)
    except (ValueError, InvalidOperation):
        raise MessageDecodeError(f"{where}: {text!r} is not a valid {_type_label(type_)}") from None
    raise TypeError(f"no text conversion for {type_!r}")


def _type_label(type_: Any) -> str:
    return getattr(type_, "__name__", repr(type_))


C = TypeVar("C", bound="Complex")


class Complex:
    """Base of every generated complex type."""

    __slots__ = ()
    _wire_fields: ClassVar[tuple[tuple[str, FieldInfo], ...]]

    @classmethod
    def wire_fields(cls) -> tuple[tuple[str, FieldInfo], ...]:
        cached = cls.__dict__.get("_wire_fields_cache")
        if cached is None:
            cached = tuple(
                (f.name, f.metadata[_META_KEY])
                for f in dataclasses.fields(cls)  # type: ignore[arg-type]
                if _META_KEY in f.metadata
            )
            type.__setattr__(cls, "_wire_fields_cache", cached)
        return cached

    def fill(self, element: etree._Element, namespace: str) -> etree._Element:
        """Write this value's fields into ``element`` (children, attributes, text)."""
        for attr, info in self.wire_fields():
            value = getattr(self, attr)
            if info.kind is FieldKind.ATTRIBUTE:
                if value is not None:
                    element.set(info.xml_name, _to_text(value))
                continue
            if info.kind is FieldKind.TEXT:
                element.text = _to_text(value)
                continue
            values = value if info.repeated else ([] if value is None else [value])
            for item in values:
                child = etree.SubElement(element, f"{{{namespace}}}{info.xml_name}")
                if isinstance(item, Complex):
                    item.fill(child, namespace)
                else:
                    child.text = _to_text(item)
        return element

    @classmethod
    def read(cls: type[C], element: etree._Element, namespace: str, where: str = "") -> C:
        """Decode ``element`` into an instance; children are matched by name and namespace."""
        where = where or etree.QName(element).localname
        kwargs: dict[str, Any] = {}
        children: dict[str, list[etree._Element]] = {}
        for child in element:
            if not isinstance(child.tag, str):
                continue  # comments, processing instructions
            qname = etree.QName(child)
            if qname.namespace != namespace:
                raise MessageDecodeError(
                    f"{where}/{qname.localname}: element in namespace {qname.namespace!r}, "
                    f"expected {namespace!r}"
                )
            children.setdefault(qname.localname, []).append(child)
        known = set()
        for attr, info in cls.wire_fields():
            path = f"{where}/{info.xml_name}"
            if info.kind is FieldKind.ATTRIBUTE:
                raw = element.get(info.xml_name)
                kwargs[attr] = None if raw is None else _from_text(raw, info.type, "@" + path)
                continue
            if info.kind is FieldKind.TEXT:
                kwargs[attr] = _from_text(element.text, info.type, where)
                continue
            known.add(info.xml_name)
            found = children.get(info.xml_name, [])
            if len(found) < info.min_occurs:
                raise MessageDecodeError(f"{path}: required element missing")
            if info.max_occurs is not None and len(found) > info.max_occurs:
                raise MessageDecodeError(f"{path}: {len(found)} elements, at most {info.max_occurs}")
            decoded = [
                info.type.read(c, namespace, path)
                if isinstance(info.type, type) and issubclass(info.type, Complex)
                else _from_text(c.text, info.type, path)
                for c in found
            ]
            kwargs[attr] = decoded if info.repeated else (decoded[0] if decoded else None)
        unknown = set(children) - known
        if unknown:
            raise MessageDecodeError(f"{where}: unexpected element(s) {', '.join(sorted(unknown))}")
        return cls(**kwargs)


    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict keyed by the wire names, as OCPP-J would spell it."""
        out: dict[str, Any] = {}
        for attr, info in self.wire_fields():
            value = getattr(self, attr)
            if value is None or (info.repeated and not value):
                continue
            out[info.xml_name] = (
                [_to_json_value(v) for v in value] if info.repeated else _to_json_value(value)
            )
        return out

    @classmethod
    def from_json(cls: type[C], data: dict[str, Any], where: str = "") -> C:
        """The inverse of :meth:`to_json`; raises MessageDecodeError naming the bad field."""
        where = where or cls.__name__
        if not isinstance(data, dict):
            raise MessageDecodeError(f"{where}: expected an object, got {type(data).__name__}")
        kwargs: dict[str, Any] = {}
        known = set()
        for attr, info in cls.wire_fields():
            known.add(info.xml_name)
            path = f"{where}.{info.xml_name}"
            if info.xml_name not in data or data[info.xml_name] is None:
                if info.min_occurs > 0 and info.kind is not FieldKind.TEXT:
                    raise MessageDecodeError(f"{path}: required field missing")
                continue
            raw = data[info.xml_name]
            if info.repeated:
                items = raw if isinstance(raw, list) else [raw]
                kwargs[attr] = [_from_json_value(v, info.type, path) for v in items]
            else:
                kwargs[attr] = _from_json_value(raw, info.type, path)
        unknown = set(data) - known
        if unknown:
            raise MessageDecodeError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        try:
            return cls(**kwargs)
        except TypeError as exc:
            raise MessageDecodeError(f"{where}: {exc}") from None


def _to_json_value(value: Any) -> Any:
    if isinstance(value, Complex):
        return value.to_json()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _from_json_value(value: Any, type_: Any, where: str) -> Any:
    if isinstance(type_, type) and issubclass(type_, Complex):
        return type_.from_json(value, where)
    if type_ is bool and isinstance(value, bool):
        return value
    if type_ is int and isinstance(value, int) and not isinstance(value, bool):
        return value
    if type_ is Decimal and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, (dict, list)):
        raise MessageDecodeError(f"{where}: expected a {_type_label(type_)}, got {type(value).__name__}")
    if isinstance(value, bool):
        value = "true" if value else "false"
    return _from_text(str(value), type_, where)


M = TypeVar("M", bound="Message")


class Message(Complex):
    """Base of every generated request and response body."""

    __slots__ = ()
    OP: ClassVar[Any]  # ocppcert.messages.ops.Op
    KIND: ClassVar[Kind]
    ELEMENT: ClassVar[str]
    NAMESPACE: ClassVar[str]
    VERSION: ClassVar[str]
    SERVICE: ClassVar[str]

    @classmethod
    def qname(cls) -> str:
        return f"{{{cls.NAMESPACE}}}{cls.ELEMENT}"

    def to_element(self) -> etree._Element:
        return self.fill(etree.Element(self.qname(), nsmap={None: self.NAMESPACE}), self.NAMESPACE)

    @classmethod
    def from_element(cls: type[M], element: etree._Element) -> M:
        if element.tag != cls.qname():
            raise MessageDecodeError(f"expected {cls.qname()}, got {element.tag}")
        return cls.read(element, cls.NAMESPACE)

    @property
    def action(self) -> str:
        """The wsa:Action this body travels with."""
        return f"/{self.OP.value}" + ("Response" if self.KIND is Kind.RESPONSE else "")
