"""The hardened parser refuses DTDs, entities, oversize input and the network."""

from __future__ import annotations

import socket
import threading

import pytest
from lxml import etree

from ocppcert.xml import DEFAULT_MAX_BYTES, XmlRejected, parse

from .conftest import fixture_bytes


def test_parses_a_plain_document_with_predefined_entities() -> None:
    root = parse(b"<a>&lt;&amp;&gt;&quot;&apos;</a>")
    assert root.text == "<&>\"'"


@pytest.mark.parametrize(
    "name", ["billion-laughs", "xxe-local-file", "xxe-network"]
)
def test_refuses_dtd_and_entities(name: str) -> None:
    with pytest.raises(XmlRejected, match="DTD|entit"):
        parse(fixture_bytes(f"invalid/input/{name}.xml"))


def test_refuses_a_dtd_hidden_in_utf16() -> None:
    # The byte scan cannot see a UTF-16 DOCTYPE; the parsed tree is checked too.
    doc = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(XmlRejected, match="DTD|entit|declaration"):
        parse(doc.encode("utf-16"))


def test_never_touches_the_network_for_an_external_dtd() -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    connections: list[object] = []

    def accept() -> None:
        try:
            connections.append(server.accept())
        except OSError:
            pass

    listener = threading.Thread(target=accept)
    listener.start()
    doc = f'<!DOCTYPE a SYSTEM "http://127.0.0.1:{port}/x.dtd"><a/>'.encode()
    with pytest.raises(XmlRejected):
        parse(doc)
    # Even lxml itself, given a UTF-16 copy the byte scan cannot read, must not connect.
    with pytest.raises(XmlRejected):
        parse(('<?xml version="1.0" encoding="UTF-16"?>' + doc.decode()).encode("utf-16"))
    listener.join(timeout=2)
    server.close()
    assert connections == []


def test_size_limit() -> None:
    big = b"<a>" + b"x" * DEFAULT_MAX_BYTES + b"</a>"
    with pytest.raises(XmlRejected, match="exceeds the limit of 1048576 bytes"):
        parse(big)
    assert parse(b"<a>" + b"x" * 100 + b"</a>", max_bytes=200).tag == "a"
    with pytest.raises(XmlRejected, match="limit of 50"):
        parse(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<a>", "not well-formed"),
        (b"hello", "not well-formed"),
        (b"<a></b>", "not well-formed"),
    ],
)
def test_malformed_input_gets_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(XmlRejected) as info:
        parse(data)
    assert reason in info.value.reason
    assert "\n" not in info.value.reason


def test_parser_keeps_line_numbers() -> None:
    root = parse(b"<a>\n\n<b/></a>")
    assert isinstance(root[0], etree._Element)
    assert root[0].sourceline == 3
