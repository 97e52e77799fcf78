"""SHA256SUMS over every file of a report directory, in the format of ``sha256sum -c``."""

from __future__ import annotations

import hashlib
from pathlib import Path

NAME = "SHA256SUMS"


def _digest(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def write_sha256sums(directory: Path) -> Path:
    """Checksums of every regular file below ``directory`` (sorted, relative paths,
    SHA256SUMS itself excluded), so that ``sha256sum -c SHA256SUMS`` run there checks
    the evidence later."""
    lines = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        relative = path.relative_to(directory).as_posix()
        if relative != NAME:
            lines.append(f"{_digest(path)}  {relative}\n")
    target = directory / NAME
    target.write_text("".join(lines), encoding="utf-8")
    return target


def verify_sha256sums(directory: Path) -> list[str]:
    """The files whose content no longer matches SHA256SUMS (or that are missing)."""
    bad = []
    for line in (directory / NAME).read_text(encoding="utf-8").splitlines():
        digest, _, relative = line.partition("  ")
        path = directory / relative
        if not path.is_file() or _digest(path) != digest:
            bad.append(relative)
    return bad
