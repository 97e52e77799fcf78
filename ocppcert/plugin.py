"""pytest plugin: the options and fixtures every ocppcert suite shares.

Registered through the ``pytest11`` entry point; the library itself never imports pytest.
"""

from __future__ import annotations

import pytest

from ocppcert.schema import SchemaSourceError, Validator


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ocppcert", "OCPP conformance (ocppcert)")
    group.addoption(
        "--ocpp",
        choices=["1.2", "1.5", "1.6", "auto"],
        default="auto",
        help="OCPP version to test; auto runs each case for every version it applies to",
    )
    group.addoption(
        "--schemas",
        default="builtin",
        metavar="{builtin,official,DIR}",
        help="schemas to validate with: ocppcert's, the fetched OCA WSDLs, or a directory",
    )
    group.addoption(
        "--ocpp-strict",
        dest="ocppcert_strict",
        action="store_true",
        default=False,
        help="treat SHOULD-level findings and real-world variants as failures "
        "(pytest's own --strict does the same)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ocpp(*versions): the OCPP versions a case applies to")


@pytest.fixture(scope="session")
def ocpp_version(pytestconfig: pytest.Config) -> str | None:
    value = pytestconfig.getoption("--ocpp")
    return None if value == "auto" else value


@pytest.fixture(scope="session")
def strict(pytestconfig: pytest.Config) -> bool:
    # pytest owns --strict; CONTRACT.md promises it to users, so it switches ours on too.
    return bool(pytestconfig.getoption("ocppcert_strict") or pytestconfig.getoption("strict", False))


@pytest.fixture(scope="session")
def message_validator(pytestconfig: pytest.Config, strict: bool) -> Validator:
    """The validator every wire message of the session goes through."""
    try:
        return Validator(pytestconfig.getoption("--schemas"), strict=strict)
    except SchemaSourceError as exc:
        raise pytest.UsageError(str(exc)) from None
