"""Fixtures of the reference Central System's tests (tests/reference/test_central_system*)."""

from __future__ import annotations

import pytest

from .central_system_rig import FakeClock, running_cp, running_cs


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def cs(tmp_path, clock):
    async with running_cs(tmp_path, clock) as system:
        yield system


@pytest.fixture
async def cp(fixture_tools):
    async with running_cp(fixture_tools.sample) as point:
        yield point
