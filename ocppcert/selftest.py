"""The self-test: the catalogue against the reference implementations and their mutants.

Every case must PASS against the reference, and FAIL against each mutant that names it
in ``KILLS``. Each run is a real ``python -m pytest`` subprocess over the installed
suites, its verdicts read back from report.json as a user would read them. Runs wait
mostly on protocol timers, so several go at once.

Mutants live outside the reference code, in the source checkout's ``tests/mutants/<role>/``
(one module per area; every class with ``KILLS`` is a mutant).
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ocppcert.catalog import SutRole, load_catalogue, suites_root

RUN_TIMEOUT = 1800.0  # s: one catalogue run; each case bounds its own waits far below this


@dataclass(frozen=True)
class Mutant:
    spec: str  # module:Class, as --reference-class takes it
    kills: tuple[str, ...]
    summary: str

    @property
    def name(self) -> str:
        return self.spec.rpartition(":")[2]


@dataclass
class CatalogueRun:
    """One pytest run: the verdict of every case it ran, or why it produced none."""

    verdicts: dict[str, dict] = field(default_factory=dict)
    problem: str | None = None
    wall_s: float = 0.0


@dataclass
class MutantResult:
    mutant: Mutant
    run: CatalogueRun

    @property
    def survivors(self) -> list[str]:
        """Cases named in KILLS that did not FAIL against the mutant."""
        return [i for i in self.mutant.kills
                if self.run.verdicts.get(i, {}).get("verdict") != "FAIL"]


@dataclass
class SelftestResult:
    role: SutRole
    case_ids: list[str]
    reference: CatalogueRun
    mutants: list[MutantResult]

    @property
    def not_passing(self) -> dict[str, str]:
        out = {}
        for case_id in self.case_ids:
            found = self.reference.verdicts.get(case_id)
            if found is None:
                out[case_id] = "no verdict" + (f" ({self.reference.problem})"
                                               if self.reference.problem else "")
            elif found["verdict"] != "PASS":
                out[case_id] = f"{found['verdict']}: {found.get('reason')}"
        return out

    @property
    def killed(self) -> set[str]:
        return {i for m in self.mutants for i in m.mutant.kills if i not in m.survivors}

    @property
    def unnamed(self) -> list[str]:
        named = {i for m in self.mutants for i in m.mutant.kills}
        return [i for i in self.case_ids if i not in named]

    @property
    def kill_rate(self) -> float:
        return len(self.killed & set(self.case_ids)) / len(self.case_ids) if self.case_ids else 0.0

    @property
    def ok(self) -> bool:
        return (not self.not_passing and not self.unnamed
                and all(not m.survivors for m in self.mutants))


def default_mutants_dir() -> Path | None:
    checkout = Path(__file__).resolve().parent.parent / "tests" / "mutants"
    return checkout if checkout.is_dir() else None


def discover_mutants(role: SutRole | str, mutants_dir: Path | None = None) -> list[Mutant]:
    """Every mutant class under ``<mutants_dir>/<role>/`` (``tests/mutants`` of the checkout
    by default); [] when there is none."""
    mutants_dir = mutants_dir or default_mutants_dir()
    if mutants_dir is None:
        return []
    package_dir = mutants_dir / SutRole(role).value.replace("-", "_")
    if not package_dir.is_dir():
        return []
    # importable as <parent of mutants_dir's parent>.<...>: tests.mutants.charge_point.core
    root = mutants_dir.parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    prefix = ".".join((mutants_dir.parent.name, mutants_dir.name, package_dir.name))
    found: list[Mutant] = []
    for info in pkgutil.iter_modules([str(package_dir)], prefix + "."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and hasattr(cls, "KILLS"):
                summary = " ".join((cls.__doc__ or "").split())
                found.append(Mutant(f"{module.__name__}:{cls.__name__}", tuple(cls.KILLS),
                                    summary))
    return sorted(found, key=lambda m: m.spec)


def role_suites(role: SutRole | str) -> Path:
    return suites_root() / SutRole(role).value.replace("-", "_")


def shards(role: SutRole | str, ocpp: str | None = None) -> list[tuple[Path, str]]:
    """The reference run cut into independent pieces: each suite directory in each
    version. Run side by side they take a fraction of one sequential run."""
    versions = [ocpp] if ocpp else ["1.6", "1.5", "1.2"]
    directories = sorted(d for d in role_suites(role).iterdir()
                         if d.is_dir() and any(d.glob("test_*.py")))
    return [(d, v) for d in directories for v in versions]


def merge(runs: Iterable[CatalogueRun]) -> CatalogueRun:
    merged = CatalogueRun()
    problems = []
    for run in runs:
        merged.verdicts.update(run.verdicts)
        merged.wall_s = max(merged.wall_s, run.wall_s)
        if run.problem:
            problems.append(run.problem)
    merged.problem = "; ".join(problems) or None
    return merged


def run_catalogue(role: SutRole | str, *, reference_class: str | None = None,
                  only: Iterable[str] = (), ocpp: str | None = None,
                  python_path: Iterable[Path] = (), timeout: float = RUN_TIMEOUT,
                  path: Path | None = None) -> CatalogueRun:
    """One ``python -m pytest`` run of ``role``'s suites (or of ``path`` below them)
    against the reference (or the mutant ``reference_class``), restricted to the case ids
    ``only`` if given."""
    import time

    role = SutRole(role)
    suites = path or role_suites(role)
    with tempfile.TemporaryDirectory(prefix="ocppcert-selftest-") as tmp:
        report = Path(tmp) / "report"
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suites),
                "--sut", role.value, "--report", str(report), "--report-formats", "none",
                "-o", "asyncio_default_fixture_loop_scope=function",
                "-W", "ignore::pytest.PytestAssertRewriteWarning",
                "-W", "ignore::pytest.PytestConfigWarning"]
        if reference_class:
            argv += ["--reference-class", reference_class]
        if ocpp:
            argv += ["--ocpp", ocpp]
        wanted = list(only)
        if wanted:
            argv += ["-k", " or ".join(wanted)]
        env = dict(os.environ)
        extra = os.pathsep.join(str(p) for p in python_path)
        if extra:
            env["PYTHONPATH"] = extra + (os.pathsep + env["PYTHONPATH"]
                                         if env.get("PYTHONPATH") else "")
        started = time.monotonic()
        try:
            done = subprocess.run(argv, cwd=tmp, env=env, capture_output=True, text=True,
                                  timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return CatalogueRun(problem=f"the run took longer than {timeout:g} s",
                                wall_s=time.monotonic() - started)
        wall = time.monotonic() - started
        report_file = report / "report.json"
        if not report_file.exists():
            tail = (done.stdout[-1500:] + done.stderr[-1500:]).strip()
            if done.returncode == 5:  # pytest: nothing collected (no case of this version)
                return CatalogueRun(wall_s=wall)
            return CatalogueRun(problem=f"pytest exited {done.returncode} without a report: "
                                        f"{tail}", wall_s=wall)
        cases = json.loads(report_file.read_text(encoding="utf-8"))["cases"]
        return CatalogueRun({c["id"]: c for c in cases}, wall_s=wall)


def selftest(role: SutRole | str, *, ocpp: str | None = None, mutants_dir: Path | None = None,
             jobs: int = 4, only_mutants: Iterable[str] | None = None,
             progress: Callable[[str], None] = lambda _: None) -> SelftestResult:
    """The reference run and every mutant run of ``role``, ``jobs`` at a time."""
    role = SutRole(role)
    case_ids = sorted(i for c in load_catalogue(role) for v, i in c.ids.items()
                      if ocpp in (None, v.value))
    mutants_dir = mutants_dir or default_mutants_dir()
    mutants = discover_mutants(role, mutants_dir)
    if only_mutants is not None:
        chosen = set(only_mutants)
        mutants = [m for m in mutants if m.name in chosen or m.spec in chosen]
    python_path = [mutants_dir.parent.parent] if mutants_dir else []
    ids = set(case_ids)

    def reference_shard(shard: tuple[Path, str]) -> CatalogueRun:
        directory, version = shard
        run = run_catalogue(role, ocpp=version, path=directory)
        progress(f"reference {role.value} {directory.name} {version}: "
                 f"{len(run.verdicts)} case runs in {run.wall_s:.0f} s")
        return run

    def one(mutant: Mutant) -> MutantResult:
        targets = [i for i in mutant.kills if i in ids]
        run = (run_catalogue(role, reference_class=mutant.spec, only=targets,
                             python_path=python_path) if targets else CatalogueRun())
        result = MutantResult(Mutant(mutant.spec, tuple(targets), mutant.summary), run)
        state = "killed" if not result.survivors else f"SURVIVED {result.survivors}"
        progress(f"mutant {mutant.name}: {state} ({run.wall_s:.0f} s)")
        return result

    import time

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        # the longest work first, so that the pool's tail is short
        reference_futures = [pool.submit(reference_shard, s) for s in shards(role, ocpp)]
        results = list(pool.map(one, mutants))
        reference_run = merge(f.result() for f in reference_futures)
    reference_run.wall_s = time.monotonic() - started
    return SelftestResult(role, case_ids, reference_run, results)
