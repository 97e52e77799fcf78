"""Shared helpers for ocppcert's own tests."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "envelopes"


def _load_tool(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"ocppcert_tools_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


@pytest.fixture(scope="session")
def fixture_tools() -> Any:
    """tools/gen_fixtures.py as a module: its sample() builds a message of any class."""
    return _load_tool("gen_fixtures")


@pytest.fixture(scope="session")
def catalog() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "catalog.json").read_text())["fixtures"]


def fixture_bytes(relative: str) -> bytes:
    return (FIXTURES / relative).read_bytes()
