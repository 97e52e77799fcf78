"""ocppcert.schema.official: fetching the OCA WSDLs from npm tarballs, offline.

A fake ``npm`` (a Python script) copies tarballs we build here into --pack-destination,
so everything but the one ``network`` test runs without a registry. The tarballs carry
hostile members (``..``, absolute path, symlink, hard link) to prove only the wanted
regular files are ever written.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path

import pytest

from ocppcert import ns
from ocppcert.schema import official as official_mod
from ocppcert.schema import official_source
from ocppcert.schema.official import KNOWN_SHA256, FetchError, fetch, is_cached, read_cache

TOOL = Path(__file__).resolve().parent.parent / "tools" / "fetch_official_schemas.py"

OCPP_JS = "ocpp-js-1.1.6"
NODE_RED = "node-red-contrib-ocpp-1.3.10"


def wsdl(namespace: str, marker: str) -> bytes:
    """A minimal WSDL embedding one OCPP schema; ``marker`` tells the copies apart."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        f'<wsdl:types><xs:schema targetNamespace="{namespace}">'
        f'<xs:element name="{marker}" type="xs:string"/>'
        "</xs:schema></wsdl:types></wsdl:definitions>\n"
    ).encode()


# Cache-relative path -> content, for the files the real tarballs carry.
OCPP_JS_FILES = {
    "ocpp_centralsystemservice_1.2_final.wsdl": wsdl(ns.CS_2010_08, "ocppjs"),
    "ocpp_chargepointservice_1.2_final.wsdl": wsdl(ns.CP_2010_08, "ocppjs"),
    "ocpp_centralsystemservice_1.5_final.wsdl": wsdl(ns.CS_2012_06, "ocppjs"),
    "ocpp_chargepointservice_1.5_final.wsdl": wsdl(ns.CP_2012_06, "ocppjs"),
}
NODE_RED_FILES = {
    "ocpp_centralsystemservice_1.5_final.wsdl": wsdl(ns.CS_2012_06, "nodered"),
    "ocpp_chargepointservice_1.5_final.wsdl": wsdl(ns.CP_2012_06, "nodered"),
    "OCPP_CentralSystemService_1.6.wsdl": wsdl(ns.CS_2015_10, "nodered"),
    "OCPP_ChargePointService_1.6.wsdl": wsdl(ns.CP_2015_10, "nodered"),
}
CONTENT = {f"{OCPP_JS}/{k}": v for k, v in OCPP_JS_FILES.items()} | {
    f"{NODE_RED}/{k}": v for k, v in NODE_RED_FILES.items()
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def regular(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    return info, data


def link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, None


def make_tgz(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> Path:
    with tarfile.open(path, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for info, data in members:
            archive.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def hostile(directory: str) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """Members a tarball must never get us to write, all named like wanted WSDLs."""
    return [
        regular(f"package/{directory}/../../evil.wsdl", b"<evil/>"),
        regular(f"/package/{directory}/absolute.wsdl", b"<evil/>"),
        link(f"package/{directory}/symlink.wsdl", "/etc/passwd"),
        link(f"package/{directory}/hardlink.wsdl", "/etc/passwd", tarfile.LNKTYPE),
        regular(f"package/{directory}/sub/deeper.wsdl", b"<evil/>"),
    ]


class Registry:
    """Tarballs by file name, served by a fake npm that logs its arguments."""

    def __init__(self, root: Path) -> None:
        self.tarballs = root / "registry"
        self.tarballs.mkdir()
        self.log = root / "npm-calls.jsonl"
        self.npm = root / "bin" / "npm"
        self.npm.parent.mkdir()
        self.npm.write_text(
            f"#!{sys.executable}\n"
            "import json, shutil, sys\n"
            "args = sys.argv[1:]\n"
            f"with open({str(self.log)!r}, 'a') as log:\n"
            "    log.write(json.dumps(args) + '\\n')\n"
            "name, version = args[1].rsplit('@', 1)\n"
            "dest = args[args.index('--pack-destination') + 1]\n"
            f"shutil.copy(f'{self.tarballs}/{{name}}-{{version}}.tgz', dest)\n"
            "print(f'{name}-{version}.tgz')\n"
        )
        self.npm.chmod(0o755)
        self.publish()

    def publish(
        self,
        ocpp_js: dict[str, bytes] = OCPP_JS_FILES,
        node_red: dict[str, bytes] = NODE_RED_FILES,
    ) -> None:
        make_tgz(
            self.tarballs / f"{OCPP_JS}.tgz",
            [regular("package/package.json", b"{}"), regular("package/wsdl/notes.txt", b"x")]
            + [regular(f"package/wsdl/{k}", v) for k, v in ocpp_js.items()]
            + hostile("wsdl"),
        )
        make_tgz(
            self.tarballs / f"{NODE_RED}.tgz",
            [regular("package/package.json", b"{}")]
            + [regular(f"package/ocpp/{k}", v) for k, v in node_red.items()]
            + hostile("ocpp"),
        )

    def calls(self) -> list[list[str]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()]


def script(path: Path, body: str) -> Path:
    path.write_text(f"#!{sys.executable}\n{body}")
    path.chmod(0o755)
    return path


@pytest.fixture
def registry(tmp_path: Path) -> Registry:
    return Registry(tmp_path)


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """KNOWN_SHA256 pinned to our fake content, for the same six cache paths."""
    pins = {path: sha(CONTENT[path]) for path in KNOWN_SHA256}
    monkeypatch.setattr(official_mod, "KNOWN_SHA256", pins)
    return pins


def files_below(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if not p.is_dir()}


def test_known_hashes_are_six_files_in_the_designated_packages() -> None:
    assert len(KNOWN_SHA256) == 6
    assert {p.split("/")[0] for p in KNOWN_SHA256 if "_1.2_" in p} == {OCPP_JS}
    assert {p.split("/")[0] for p in KNOWN_SHA256 if "_1.2_" not in p} == {NODE_RED}
    assert set(KNOWN_SHA256) <= set(CONTENT)  # the fakes mirror the real file names


def test_fetch_writes_only_the_wanted_regular_files(
    tmp_path: Path, registry: Registry, pinned: dict[str, str]
) -> None:
    cache = tmp_path / "cache" / "official"
    result = fetch(cache, npm=str(registry.npm))

    assert files_below(cache) == set(CONTENT) | {"MANIFEST.json"}
    for path, data in CONTENT.items():
        assert (cache / path).read_bytes() == data
    assert not list(tmp_path.rglob("evil.wsdl"))
    assert not list(tmp_path.rglob("absolute.wsdl"))
    assert not list(tmp_path.rglob("deeper.wsdl"))
    assert not Path("/package/wsdl/absolute.wsdl").exists()
    assert sorted(s.split(":")[1] for s in result.skipped) == sorted(
        f"package/{d}/{n}" for d in ("wsdl", "ocpp") for n in ("symlink.wsdl", "hardlink.wsdl")
    )
    statuses = {f.path: f.status for f in result.files}
    assert statuses == {p: "OK" if p in pinned else "unpinned" for p in CONTENT}
    assert result.fetched and result.cache_dir == cache
    # Nothing left beside the cache: no staging or trash directory.
    assert [p.name for p in cache.parent.iterdir()] == ["official"]


def test_npm_is_only_asked_to_pack(tmp_path: Path, registry: Registry, pinned: dict) -> None:
    fetch(tmp_path / "cache", npm=str(registry.npm))
    calls = registry.calls()
    assert [c[:2] for c in calls] == [
        ["pack", "ocpp-js@1.1.6"],
        ["pack", "node-red-contrib-ocpp@1.3.10"],
    ]
    assert all("--pack-destination" in c and "install" not in c for c in calls)


def test_manifest_records_specs_paths_hashes_and_time(
    tmp_path: Path, registry: Registry, pinned: dict
) -> None:
    cache = tmp_path / "cache"
    fetch(cache, npm=str(registry.npm))
    manifest = json.loads((cache / "MANIFEST.json").read_text())

    assert [p["spec"] for p in manifest["packages"]] == [
        "ocpp-js@1.1.6",
        "node-red-contrib-ocpp@1.3.10",
    ]
    for package, tarball in zip(manifest["packages"], (OCPP_JS, NODE_RED)):
        assert package["tarball_sha256"] == sha((registry.tarballs / f"{tarball}.tgz").read_bytes())
    assert {f["path"]: f["sha256"] for f in manifest["files"]} == {
        path: sha(data) for path, data in CONTENT.items()
    }
    assert datetime.fromisoformat(manifest["fetched_at"]).tzinfo is not None


def test_official_source_takes_node_red_15_and_covers_all_namespaces(
    tmp_path: Path, registry: Registry, pinned: dict[str, str]
) -> None:
    """directory_source() keeps the first file by sorted path: node-red's 1.5 copies."""
    cache = tmp_path / "cache"
    fetch(cache, npm=str(registry.npm))
    source = official_source(cache)

    assert source.missing() == []
    assert set(source.sha256) == set(pinned)
    for namespace in (ns.CS_2012_06, ns.CP_2012_06):
        assert b"nodered" in source.documents[namespace]
    assert b"ocppjs" in source.documents[ns.CS_2010_08]


def test_hash_mismatch_raises_and_leaves_no_cache(tmp_path: Path, registry: Registry) -> None:
    cache = tmp_path / "cache" / "official"  # the real pins vs our fake content
    with pytest.raises(FetchError, match="sha256 mismatch for ocpp-js-1.1.6/ocpp_central"):
        fetch(cache, npm=str(registry.npm))
    assert list(cache.parent.iterdir()) == []
    assert not is_cached(cache)


def test_mismatch_in_one_file_is_named(tmp_path: Path, registry: Registry, pinned: dict) -> None:
    registry.publish(node_red=NODE_RED_FILES | {"OCPP_ChargePointService_1.6.wsdl": b"<x/>"})
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path / "cache", npm=str(registry.npm))
    assert str(caught.value).startswith(
        f"sha256 mismatch for {NODE_RED}/OCPP_ChargePointService_1.6.wsdl:"
    )
    assert "\n" not in str(caught.value)


def test_unpinned_ocpp_js_15_copy_is_not_verified(
    tmp_path: Path, registry: Registry, pinned: dict
) -> None:
    registry.publish(ocpp_js=OCPP_JS_FILES | {"ocpp_chargepointservice_1.5_final.wsdl": b"<x/>"})
    result = fetch(tmp_path / "cache", npm=str(registry.npm))
    assert {f.path: f.status for f in result.files}[
        f"{OCPP_JS}/ocpp_chargepointservice_1.5_final.wsdl"
    ] == "unpinned"


def test_no_verify_accepts_mismatches(tmp_path: Path, registry: Registry) -> None:
    cache = tmp_path / "cache"
    result = fetch(cache, npm=str(registry.npm), verify=False)
    assert sorted(f.path for f in result.mismatches) == sorted(KNOWN_SHA256)
    assert is_cached(cache)
    assert [f.status for f in read_cache(cache).mismatches] == ["MISMATCH"] * 6


def test_missing_expected_member_raises(tmp_path: Path, registry: Registry, pinned: dict) -> None:
    registry.publish(
        node_red={k: v for k, v in NODE_RED_FILES.items() if "ChargePointService_1.6" not in k}
    )
    with pytest.raises(FetchError, match=f"lack expected file.*{NODE_RED}/OCPP_ChargePoint"):
        fetch(tmp_path / "cache", npm=str(registry.npm))
    assert not (tmp_path / "cache").exists()


def test_tarball_without_matching_members_raises(tmp_path: Path, registry: Registry) -> None:
    registry.publish(ocpp_js={})
    with pytest.raises(FetchError, match=r"ocpp-js@1.1.6 has no member matching package/wsdl/\*"):
        fetch(tmp_path / "cache", npm=str(registry.npm))


def test_duplicate_member_raises(tmp_path: Path, registry: Registry) -> None:
    name = "package/ocpp/OCPP_ChargePointService_1.6.wsdl"
    make_tgz(
        registry.tarballs / f"{NODE_RED}.tgz",
        [regular(name, b"<first/>"), regular(name, b"<second/>")],
    )
    with pytest.raises(FetchError, match="appears twice"):
        fetch(tmp_path / "cache", npm=str(registry.npm))


def test_corrupt_tarball_raises(tmp_path: Path, registry: Registry) -> None:
    (registry.tarballs / f"{OCPP_JS}.tgz").write_bytes(b"not a tarball")
    with pytest.raises(FetchError, match="cannot read the ocpp-js@1.1.6 tarball"):
        fetch(tmp_path / "cache", npm=str(registry.npm))


def test_failing_npm_reports_its_last_stderr_line(tmp_path: Path) -> None:
    npm = script(
        tmp_path / "npm",
        "import sys\n"
        "sys.stderr.write('npm error code E404\\n'\n"
        "    'npm error 404 Not Found - GET https://registry.npmjs.org/ocpp-js\\n'\n"
        "    'npm error A complete log of this run can be found in: /x.log\\n')\n"
        "sys.exit(1)\n",
    )
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path / "cache", npm=str(npm))
    assert str(caught.value) == (
        "'npm pack ocpp-js@1.1.6' failed (exit 1): "
        "npm error 404 Not Found - GET https://registry.npmjs.org/ocpp-js"
    )
    assert not (tmp_path / "cache").exists()


def test_missing_npm_raises(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="npm not found"):
        fetch(tmp_path / "cache", npm=str(tmp_path / "no-such-npm"))


def test_npm_that_hangs_is_killed_with_its_children(tmp_path: Path) -> None:
    """A grandchild holds npm's pipes open: only killing the whole session ends the wait."""
    npm = script(
        tmp_path / "npm",
        "import signal, subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import signal; signal.pause()'])\n"
        "signal.pause()\n",
    )
    with pytest.raises(FetchError, match="'npm pack ocpp-js@1.1.6' timed out"):
        fetch(tmp_path / "cache", npm=str(npm), timeout=0.5)
    assert list(tmp_path.glob(".cache.*")) == []


def test_refetch_replaces_cache_but_never_a_foreign_directory(
    tmp_path: Path, registry: Registry, pinned: dict
) -> None:
    cache = tmp_path / "cache"
    fetch(cache, npm=str(registry.npm))
    (cache / "stale.wsdl").write_bytes(b"<old/>")
    fetch(cache, npm=str(registry.npm))
    assert not (cache / "stale.wsdl").exists() and is_cached(cache)

    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "precious.txt").write_text("keep me")
    with pytest.raises(FetchError, match="not an ocppcert schema cache"):
        fetch(foreign, npm=str(registry.npm))
    assert files_below(foreign) == {"precious.txt"}
    assert len(registry.calls()) == 4  # refused before downloading


def test_is_cached(tmp_path: Path, registry: Registry, pinned: dict) -> None:
    cache = tmp_path / "cache"
    assert not is_cached(cache)
    fetch(cache, npm=str(registry.npm))
    assert is_cached(cache)

    manifest = json.loads((cache / "MANIFEST.json").read_text())
    manifest["packages"][0]["spec"] = "ocpp-js@1.1.5"
    (cache / "MANIFEST.json").write_text(json.dumps(manifest))
    assert not is_cached(cache)  # pinned versions changed since

    fetch(cache, npm=str(registry.npm))
    (cache / f"{NODE_RED}/OCPP_ChargePointService_1.6.wsdl").unlink()
    assert not is_cached(cache)


def run_tool(*args: str, path: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(TOOL), *args],
        capture_output=True,
        text=True,
        env={"PATH": path, "HOME": "/nonexistent"},
        timeout=60,
    )


def test_tool_exits_2_with_one_line_when_npm_is_missing(tmp_path: Path) -> None:
    done = run_tool("--cache", str(tmp_path / "cache"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "npm not found" in done.stderr


def test_tool_reports_a_cache_without_downloading(tmp_path: Path, registry: Registry) -> None:
    cache = tmp_path / "cache"
    fetch(cache, npm=str(registry.npm), verify=False)  # fake content: the real pins mismatch

    done = run_tool("--cache", str(cache), "--no-verify")  # no npm on PATH: must not need it
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith(f"{NODE_RED}/OCPP_ChargePointService_1.6.wsdl  ") for line in lines)
    assert sum(line.endswith("  MISMATCH") for line in lines) == 6
    assert lines[-1] == f"already cached in {cache}"

    done = run_tool("--cache", str(cache))
    assert done.returncode == 2 and "differ from the pins" in done.stderr


@pytest.mark.network
def test_real_fetch_matches_the_pins(tmp_path: Path) -> None:
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the real fetch runs 'npm pack'")
    cache = tmp_path / "official"
    result = fetch(cache)
    assert {f.path: f.sha256 for f in result.files if f.path in KNOWN_SHA256} == KNOWN_SHA256
    source = official_source(cache)
    assert source.missing() == []
    assert source.sha256 == KNOWN_SHA256
