"""Our schemas and the OCA's WSDLs give the same verdict on every fixture.

Needs the official WSDLs in the cache (``python tools/fetch_official_schemas.py``; the
README test command fetches them). Without them the test is skipped, except in CI where
a skip would hide the comparison: there it fails.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from ocppcert.schema import SchemaSourceError, Validator

from .conftest import _load_tool


@pytest.fixture(scope="module")
def official() -> Validator:
    try:
        return Validator("official")
    except SchemaSourceError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI must compare against the official schemas: {exc}")
        pytest.skip(str(exc))


def test_official_schemas_cover_every_service(official: Validator) -> None:
    assert official.source.missing() == []
    assert official.source.name == "official"


def test_same_verdict_and_violation_places_on_every_fixture(official: Validator, catalog: list[dict[str, Any]]) -> None:
    agreement = _load_tool("schema_agreement").compare(official)
    assert agreement.compared == len(catalog)
    assert agreement.differences == []
    assert agreement.same_places == agreement.compared
