"""Mutants of the reference Central System, one module per area of the catalogue.

Every class here that has ``KILLS`` is a mutant: ``ocppcert selftest`` and
tests/test_catalogue.py run the Central-System catalogue against it.
"""

from __future__ import annotations


def ids(octt_stem: str, versions: tuple[str, ...] = ("1.6", "1.5", "1.2")) -> tuple[str, ...]:
    """The case ids of OCTT case ``TC_<octt_stem>_CSMS`` in the given versions."""
    names = {"1.6": f"TC_{octt_stem}_CSMS", "1.5": f"V15_{octt_stem}_CSMS",
             "1.2": f"V12_{octt_stem}_CSMS"}
    return tuple(names[v] for v in versions)


def own_ids(stem: str, versions: tuple[str, ...] = ("1.6", "1.5", "1.2")) -> tuple[str, ...]:
    """The case ids of our own case ``stem`` (e.g. ``SOAP_001_CSMS``) in the given versions."""
    return tuple(f"V{v.replace('.', '')}_{stem}" for v in versions)
