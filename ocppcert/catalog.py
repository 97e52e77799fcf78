"""The case catalogue: what each conformance case is, independent of how it runs.

A case is an ``async def`` in suites/ decorated with :func:`case`. The decorator records
its metadata on the function and in :data:`CATALOGUE`; the pytest plugin runs it once per
applicable OCPP version, and ``ocppcert cases`` lists it.

Case ids: OCPP 1.6 cases carry their OCTT id (``TC_001_CS``). The same behaviour in 1.5
and 1.2 gets an id of our own naming the version and the OCTT case it mirrors
(``V15_001_CS`` mirrors ``TC_001_CS``). Cases without an OCTT twin (SOAP transport,
deeper offline and local-list cases) have ids of our own in every version
(``V16_SOAP_001_CS``).
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from ocppcert.pics import Pics, Requirement
from ocppcert.versions import OcppVersion

F = TypeVar("F", bound=Callable[..., Any])
CASE_ATTRIBUTE = "__ocpp_case__"
_OCTT = re.compile(r"^TC_(\d{3}(?:_\d+)?)_(CS|CSMS)$")


class SutRole(str, Enum):
    CHARGE_POINT = "charge-point"  # the harness plays the Central System
    CENTRAL_SYSTEM = "central-system"  # the harness plays charge points

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Case:
    name: str  # module:function, unique
    title: str
    sut: SutRole
    profile: str
    versions: tuple[OcppVersion, ...]
    ids: dict[OcppVersion, str]
    octt_id: str | None  # the OCTT 1.6 case this is or mirrors
    spec: dict[OcppVersion, str]  # the section each version's requirement comes from
    requires: tuple[Requirement, ...]
    doc: str

    def id_for(self, version: OcppVersion | str) -> str:
        return self.ids[OcppVersion(version)]

    def applies(self, pics: Pics) -> str | None:
        """None when the case applies to a SUT with this PICS, else the reason it does not."""
        missing = [str(r) for r in self.requires if not r.holds(pics)]
        if missing:
            return "the case needs a SUT that " + " and ".join(missing)
        return None

    def as_dict(self, version: OcppVersion | None = None) -> dict[str, Any]:
        versions = [version] if version else list(self.versions)
        return {
            "id": self.id_for(versions[0]) if version else [self.id_for(v) for v in versions],
            "title": self.title,
            "sut": self.sut.value,
            "profile": self.profile,
            "versions": [v.value for v in versions],
            "octt_id": self.octt_id,
            "spec": {v.value: self.spec[v] for v in versions if v in self.spec},
            "requires": [str(r) for r in self.requires],
        }


CATALOGUE: dict[str, Case] = {}


def own_id(version: OcppVersion, octt_id: str) -> str:
    """``TC_001_CS`` in 1.5 is ``V15_001_CS``: our id for the same behaviour."""
    match = _OCTT.match(octt_id)
    if not match:
        raise ValueError(f"not an OCTT id: {octt_id!r}")
    return f"V{version.value.replace('.', '')}_{match.group(1)}_{match.group(2)}"


def case(
    *,
    title: str,
    sut: SutRole | str,
    profile: str,
    spec: str | dict[str, str],
    octt: str | None = None,
    own: str | None = None,
    versions: Iterable[str | OcppVersion] = ("1.6", "1.5", "1.2"),
    requires: Iterable[Requirement] = (),
) -> Callable[[F], F]:
    """Declare a conformance case.

    ``octt``: the OCTT 1.6 id (the 1.6 run keeps it; other versions get :func:`own_id`).
    ``own``: for cases without an OCTT twin, the id stem, e.g. ``SOAP_001_CS``; each
    version's id is ``V16_SOAP_001_CS`` and so on.
    """
    if (octt is None) == (own is None):
        raise ValueError("give exactly one of octt= and own=")
    chosen = tuple(OcppVersion(v) for v in versions)
    if octt is not None:
        ids = {v: octt if v is OcppVersion.V16 else own_id(v, octt) for v in chosen}
    else:
        ids = {v: f"V{v.value.replace('.', '')}_{own}" for v in chosen}
    sections = ({v: spec for v in chosen} if isinstance(spec, str)
                else {OcppVersion(k): s for k, s in spec.items()})

    def register(function: F) -> F:
        name = f"{function.__module__}:{function.__qualname__}"
        doc = " ".join((function.__doc__ or "").split())
        if not doc:
            raise ValueError(f"case {name} needs a docstring saying what the spec requires")
        entry = Case(name, title, SutRole(sut), profile, chosen, ids, octt, sections,
                     tuple(requires), doc)
        for other in CATALOGUE.values():
            clash = set(other.ids.values()) & set(ids.values())
            if clash and other.name != name:
                raise ValueError(f"case id(s) {sorted(clash)} used by {other.name} and {name}")
        earlier = CATALOGUE.get(name)
        if earlier is not None and earlier.ids != ids:
            # e.g. cases made by one factory function: each needs a name of its own
            raise ValueError(f"{name} is already the case {sorted(earlier.ids.values())}; "
                             "give each case function its own name")
        CATALOGUE[name] = entry
        setattr(function, CASE_ATTRIBUTE, entry)
        return function

    return register


def case_of(function: Any) -> Case | None:
    return getattr(function, CASE_ATTRIBUTE, None)


def suites_root() -> Path:
    """The suites/ directory: in a source checkout, or installed as package data."""
    checkout = Path(__file__).resolve().parent.parent / "suites"
    if checkout.is_dir():
        return checkout
    return Path(__file__).resolve().parent / "_suites"


def load_catalogue(role: SutRole | str | None = None) -> list[Case]:
    """Import every suite module of ``role`` (both if None) and return their cases, by id."""
    import sys

    root = suites_root()
    parent = str(root.parent)
    if parent not in sys.path:
        sys.path.insert(0, parent)
    package = root.name
    roles = [SutRole(role)] if role else list(SutRole)
    for each in roles:
        directory = root / each.value.replace("-", "_")
        if not directory.is_dir():
            continue
        prefix = f"{package}.{directory.name}."
        for module in pkgutil.walk_packages([str(directory)], prefix):
            importlib.import_module(module.name)
    found = [c for c in CATALOGUE.values() if role is None or c.sut is SutRole(role)]
    return sorted(found, key=lambda c: (c.sut.value, c.octt_id or "", c.name))
