"""The OCPP SOAP header set: chargeBoxIdentity plus the WS-Addressing properties."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace

from lxml import etree

from ocppcert import ns

CHARGE_BOX_IDENTITY = "chargeBoxIdentity"


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


@dataclass(frozen=True, slots=True)
class Headers:
    """What an OCPP SOAP message says about itself (OCPP-S §3)."""

    action: str | None = None
    message_id: str | None = None
    charge_box_identity: str | None = None
    relates_to: str | None = None
    from_address: str | None = None
    reply_to: str | None = None
    to: str | None = None
    # Namespace the chargeBoxIdentity block was found in (parsing only).
    charge_box_identity_namespace: str | None = None

    @classmethod
    def request(
        cls,
        action: str,
        *,
        charge_box_identity: str,
        to: str,
        from_address: str | None = None,
        message_id_factory: Callable[[], str] = new_message_id,
    ) -> Headers:
        """Headers of a request, ReplyTo anonymous as synchronous SOAP requires."""
        return cls(
            action=action,
            message_id=message_id_factory(),
            charge_box_identity=charge_box_identity,
            from_address=from_address,
            reply_to=ns.WSA_ANONYMOUS,
            to=to,
        )

    def reply(
        self, action: str, *, message_id_factory: Callable[[], str] = new_message_id
    ) -> Headers:
        """Headers of the response to the request that carried these headers."""
        return Headers(action=action, message_id=message_id_factory(), relates_to=self.message_id)

    def with_(self, **changes: object) -> Headers:
        return replace(self, **changes)  # type: ignore[arg-type]


_WSA_TEXT = {
    f"{{{ns.WSA}}}{local}": name
    for local, name in (
        ("Action", "action"), ("MessageID", "message_id"), ("RelatesTo", "relates_to"), ("To", "to")
    )
}
_WSA_EPR = {f"{{{ns.WSA}}}From": "from_address", f"{{{ns.WSA}}}ReplyTo": "reply_to"}
_WSA_ADDRESS = f"{{{ns.WSA}}}Address"
_CBI_LOWER = CHARGE_BOX_IDENTITY.lower()


def read_header_values(
    header: etree._Element | None,
) -> tuple[dict[str, str | None], dict[str, etree._Element]]:
    """The known header blocks as :class:`Headers` field values, plus the element each
    field came from, so that a checker can point at the right line. Unknown blocks are
    ignored; of two blocks for one field, the last wins.

    This runs on every validated message, so it walks the children by hand rather than
    through ElementPath, which costs more than the rest of the walk together."""
    values: dict[str, str | None] = {}
    elements: dict[str, etree._Element] = {}
    if header is None:
        return values, elements
    for block in header:
        tag = block.tag
        name = _WSA_TEXT.get(tag)
        if name is not None:
            text = block.text
            values[name] = text.strip() if text else ""
            elements[name] = block
            continue
        name = _WSA_EPR.get(tag)
        if name is not None:
            text = None
            for child in block:
                if child.tag == _WSA_ADDRESS:
                    text = child.text
                    break
            values[name] = text.strip() if text else ""
            elements[name] = block
            continue
        if not isinstance(tag, str):
            continue
        namespace, _, local = tag[1:].rpartition("}") if tag[0] == "{" else ("", "", tag)
        # OCPP-S §3: the header name is case-insensitive.
        if local.lower() == _CBI_LOWER and namespace != ns.WSA:
            text = block.text
            values["charge_box_identity"] = text.strip() if text else ""
            values["charge_box_identity_namespace"] = namespace or None
            elements["charge_box_identity"] = block
    return values, elements


def read_headers(header: etree._Element | None) -> Headers:
    """Collect the known header blocks; unknown blocks are ignored here."""
    return Headers(**read_header_values(header)[0])  # type: ignore[arg-type]


def write_headers(header: etree._Element, headers: Headers, ocpp_namespace: str) -> None:
    must_understand = f"{{{ns.SOAP12}}}mustUnderstand"
    if headers.charge_box_identity is not None:
        cbi = etree.SubElement(header, f"{{{ocpp_namespace}}}{CHARGE_BOX_IDENTITY}")
        cbi.set(must_understand, "true")
        cbi.text = headers.charge_box_identity
    if headers.action is not None:
        action = etree.SubElement(header, f"{{{ns.WSA}}}Action")
        action.set(must_understand, "true")
        action.text = headers.action
    if headers.message_id is not None:
        etree.SubElement(header, f"{{{ns.WSA}}}MessageID").text = headers.message_id
    if headers.relates_to is not None:
        etree.SubElement(header, f"{{{ns.WSA}}}RelatesTo").text = headers.relates_to
    for tag, address in (("From", headers.from_address), ("ReplyTo", headers.reply_to)):
        if address is not None:
            epr = etree.SubElement(header, f"{{{ns.WSA}}}{tag}")
            etree.SubElement(epr, f"{{{ns.WSA}}}Address").text = address
    if headers.to is not None:
        etree.SubElement(header, f"{{{ns.WSA}}}To").text = headers.to
