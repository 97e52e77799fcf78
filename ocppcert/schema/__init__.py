"""Schema validation of OCPP SOAP messages: ``validate()`` raises, ``is_valid()`` answers,
``iter_violations()`` explains."""

from __future__ import annotations

from ocppcert.schema.sources import (
    SchemaSource,
    SchemaSourceError,
    builtin_source,
    directory_source,
    load_source,
    official_source,
)
from ocppcert.schema.validator import (
    Check,
    MessageReport,
    Severity,
    ValidationError,
    Validator,
    Violation,
    check,
    default_validator,
    is_valid,
    iter_violations,
    validate,
)

__all__ = [
    "Check",
    "MessageReport",
    "SchemaSource",
    "SchemaSourceError",
    "Severity",
    "ValidationError",
    "Validator",
    "Violation",
    "builtin_source",
    "check",
    "default_validator",
    "directory_source",
    "is_valid",
    "iter_violations",
    "load_source",
    "official_source",
    "validate",
]
