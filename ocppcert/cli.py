"""The ``ocppcert`` command line.

Exit codes for every subcommand: 0 success, 1 the checked thing failed, 2 usage or
environment error (one clear line on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from ocppcert import __version__
from ocppcert.schema import SchemaSourceError, Validator
from ocppcert.schema.validator import MessageReport
from ocppcert.xml import DEFAULT_MAX_BYTES, read_limited

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """An environment or usage problem: reported on one line, exit code 2."""


def _inputs(paths: Sequence[str]) -> Iterator[tuple[str, Path | None]]:
    """(label, path) per message; path None means standard input."""
    for raw in paths:
        if raw == "-":
            yield "-", None
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted((p for p in path.rglob("*.xml") if p.is_file()), key=str)
            if not found:
                raise UsageError(f"no *.xml files under {raw}")
            for p in found:
                yield str(p), p
        elif path.is_file():
            yield raw, path
        else:
            raise UsageError(f"no such file or directory: {raw}")


def _read(path: Path | None, max_bytes: int) -> bytes:
    try:
        if path is None:
            return read_limited(sys.stdin.buffer, max_bytes=max_bytes)
        with path.open("rb") as stream:
            return read_limited(stream, max_bytes=max_bytes)
    except OSError as exc:
        raise UsageError(f"cannot read {path or 'standard input'}: {exc.strerror or exc}") from None


def _describe(report: MessageReport) -> str:
    parts = [
        str(report.ocpp_version) if report.ocpp_version else None,
        str(report.service) if report.service else None,
        report.operation,
        report.kind,
    ]
    return " ".join(p for p in parts if p) or "unidentified message"


def _text_line(label: str, report: MessageReport, strict: bool) -> str:
    lines = [f"{'VALID' if report.valid else 'INVALID'}  {label}  ({_describe(report)})"]
    for v in report.violations:
        at = f"line {v.line}: " if v.line else ""
        lines.append(f"    error [{v.check}] {at}{v.where}: {v.reason}")
    for w in [] if strict else report.warnings:  # strict mode listed them as errors
        at = f"line {w.line}: " if w.line else ""
        lines.append(f"    warning [{w.check}] {at}{w.where}: {w.reason}")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        validator = Validator(args.schemas, strict=args.strict, max_bytes=args.max_bytes)
    except SchemaSourceError as exc:
        raise UsageError(str(exc)) from None
    version = None if args.ocpp == "auto" else args.ocpp
    inputs = list(_inputs(args.paths))
    results = []
    invalid = 0
    for label, path in inputs:
        report = validator.check(_read(path, args.max_bytes), ocpp_version=version)
        invalid += not report.valid
        if args.format == "json":
            results.append({"path": label, **report.as_dict()})
        else:
            print(_text_line(label, report, args.strict))
    if args.format == "json":
        # One message per line: readable, greppable, and encoded by json's C encoder
        # (an indented dump goes through its pure-Python one, ten times slower).
        sys.stdout.write("[\n" + ",\n".join(json.dumps(r) for r in results) + "\n]\n")
    else:
        print(f"{len(inputs)} message(s): {len(inputs) - invalid} valid, {invalid} invalid")
    return EXIT_FAILED if invalid else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ocppcert", description="Conformance test suite for OCPP 1.2, 1.5 and 1.6 over SOAP."
    )
    parser.add_argument("--version", action="version", version=f"ocppcert {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check SOAP messages: envelope, OCPP headers, and body against the OCPP schemas",
        description="Check each SOAP message: the SOAP 1.2 envelope, the OCPP and WS-Addressing "
        "headers, and the body against the OCPP schema of its version.",
    )
    validate.add_argument("paths", nargs="+", metavar="PATH",
                          help="a message file, a directory (every *.xml below it), or - for stdin")
    validate.add_argument("--ocpp", choices=["1.2", "1.5", "1.6", "auto"], default="auto",
                          help="expected OCPP version; auto takes it from the body's namespace")
    validate.add_argument("--schemas", default="builtin", metavar="{builtin,official,DIR}",
                          help="ocppcert's schemas, the fetched OCA WSDLs, or a directory of "
                          "WSDL/XSD files")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--strict", action="store_true",
                          help="treat real-world variants (warnings) as violations")
    validate.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES,
                          help=f"largest message accepted (default {DEFAULT_MAX_BYTES})")
    validate.set_defaults(handler=cmd_validate)

    serve = commands.add_parser(
        "serve", help="run a reference implementation: a Central System or a charge point"
    )
    roles = serve.add_subparsers(dest="role", required=True, metavar="ROLE")
    central = roles.add_parser("central-system", help="the reference Central System")
    _serve_common(central, default_listen="127.0.0.1:8180")
    central.set_defaults(handler=cmd_serve_central_system)
    point = roles.add_parser("charge-point", help="the reference charge point")
    point.add_argument("--central-system", required=True, metavar="URL",
                       help="the Central System's SOAP endpoint")
    point.add_argument("--id", default="CP-0001", help="chargeBoxIdentity (default CP-0001)")
    point.add_argument("--connectors", type=int, default=2, metavar="N",
                       help="number of connectors (default 2)")
    _serve_common(point, default_listen="127.0.0.1:8181")
    point.set_defaults(handler=cmd_serve_charge_point)

    cases = commands.add_parser("cases", help="list the conformance catalogue")
    cases.add_argument("--sut", choices=["charge-point", "central-system"], default=None)
    cases.add_argument("--ocpp", choices=["1.2", "1.5", "1.6"], default=None)
    cases.add_argument("--format", choices=["text", "json"], default="text")
    cases.set_defaults(handler=cmd_cases)

    run = commands.add_parser("run", help="run the conformance cases against a SUT")
    run.add_argument("--sut", choices=["charge-point", "central-system"], required=True)
    run.add_argument("--ocpp", choices=["1.2", "1.5", "1.6"], default=None)
    run.add_argument("--sut-url", default=None)
    run.add_argument("--sut-id", default=None)
    run.add_argument("--listen", default="127.0.0.1:0")
    run.add_argument("--advertise", default=None)
    run.add_argument("--pics", default=None)
    run.add_argument("--report", default=None, metavar="DIR",
                     help="default: reports/<timestamp>-<sut>/")
    run.add_argument("--strict", action="store_true")
    run.add_argument("-q", "--quiet", action="store_true",
                     help="for CI: no progress, only the final summary line and the report")
    run.add_argument("pytest_args", nargs=argparse.REMAINDER,
                     help="after --: options passed on to pytest (e.g. -k TC_001)")
    run.set_defaults(handler=cmd_run)

    check = commands.add_parser(
        "selftest", help="run the catalogue against the reference implementations and their "
        "mutants: every case must PASS on the reference and FAIL on the mutants naming it")
    check.add_argument("--sut", choices=["charge-point", "central-system"], default=None,
                       help="only this role's catalogue (default: both)")
    check.add_argument("--ocpp", choices=["1.2", "1.5", "1.6"], default=None)
    check.add_argument("--report", default=None, metavar="DIR",
                       help="write selftest.json there")
    check.add_argument("--jobs", type=int, default=10, metavar="N",
                       help="catalogue runs at once (default 10; they mostly wait on timers)")
    check.add_argument("--mutants", default=None, metavar="DIR",
                       help="the mutants directory (default: tests/mutants of the checkout)")
    check.add_argument("--mutant", action="append", default=None, metavar="NAME",
                       help="only this mutant (repeatable)")
    check.set_defaults(handler=cmd_selftest)

    rerender = commands.add_parser(
        "report", help="re-render report.html and report.pdf of a report directory from its "
        "report.json (and rewrite SHA256SUMS)")
    rerender.add_argument("dir", metavar="DIR", help="a report directory (holds report.json)")
    rerender.set_defaults(handler=cmd_report)
    return parser


def cmd_selftest(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from ocppcert.catalog import SutRole, load_catalogue
    from ocppcert.selftest import default_mutants_dir, discover_mutants, selftest

    console = Console(stderr=True)
    mutants_dir = Path(args.mutants) if args.mutants else default_mutants_dir()
    if mutants_dir is None or not mutants_dir.is_dir():
        raise UsageError("no mutants here: they live in the source checkout's tests/mutants/ "
                         "(give --mutants DIR)")
    roles = [SutRole(args.sut)] if args.sut else list(SutRole)
    roles = [r for r in roles if load_catalogue(r)]
    table = Table(title="ocppcert selftest")
    for column in ("role", "cases", "PASS on reference", "mutants", "mutants killed",
                   "cases killed", "kill rate"):
        table.add_column(column, justify="left" if column == "role" else "right")
    summary, ok = [], True
    for role in roles:
        result = selftest(role, ocpp=args.ocpp, mutants_dir=mutants_dir, jobs=args.jobs,
                          only_mutants=args.mutant, progress=lambda line: console.print(line))
        if not discover_mutants(role, mutants_dir):
            console.print(f"[yellow]{role.value}: no mutants found[/yellow]")
        passed = len(result.case_ids) - len(result.not_passing)
        killed_mutants = sum(1 for m in result.mutants if not m.survivors)
        killed_cases = len(result.killed & set(result.case_ids))
        table.add_row(role.value, str(len(result.case_ids)), str(passed),
                      str(len(result.mutants)), str(killed_mutants), str(killed_cases),
                      f"{result.kill_rate:.1%}")
        for case_id, why in result.not_passing.items():
            console.print(f"[red]{case_id} does not PASS on the reference[/red]: {why}")
        for m in result.mutants:
            if m.survivors:
                console.print(f"[red]{m.mutant.name} survived {m.survivors}[/red]"
                              + (f" ({m.run.problem})" if m.run.problem else ""))
        if args.mutant is None and result.unnamed:
            console.print(f"[red]cases no mutant names: {result.unnamed}[/red]")
        ok = ok and (result.ok if args.mutant is None else
                     not result.not_passing and all(not m.survivors for m in result.mutants))
        summary.append({
            "role": role.value, "cases": len(result.case_ids), "passed": passed,
            "not_passing": result.not_passing, "mutants": len(result.mutants),
            "mutants_killed": killed_mutants, "cases_killed": killed_cases,
            "kill_rate": result.kill_rate, "unnamed": result.unnamed,
            "wall_s": round(result.reference.wall_s, 1),
            "survivors": {m.mutant.name: m.survivors for m in result.mutants if m.survivors},
        })
    Console().print(table)
    if args.report:
        directory = Path(args.report)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "selftest.json").write_text(json.dumps(summary, indent=1) + "\n",
                                                 encoding="utf-8")
    return EXIT_OK if ok else EXIT_FAILED


def cmd_cases(args: argparse.Namespace) -> int:
    from ocppcert.catalog import load_catalogue
    from ocppcert.versions import OcppVersion

    rows = []
    for entry in load_catalogue(args.sut):
        for version in entry.versions:
            if args.ocpp and version is not OcppVersion(args.ocpp):
                continue
            rows.append({"id": entry.id_for(version), "title": entry.title,
                         "sut": entry.sut.value, "profile": entry.profile,
                         "versions": [version.value], "octt_id": entry.octt_id,
                         "spec": entry.spec.get(version),
                         "requires": [str(r) for r in entry.requires]})
    if args.format == "json":
        print(json.dumps(rows, indent=1))
    else:
        for row in rows:
            octt = f"  (mirrors {row['octt_id']})" if row["octt_id"] and row["octt_id"] != row["id"] \
                else ""
            print(f"{row['id']:<22} {row['versions'][0]}  {row['profile']:<12} {row['title']}{octt}")
        print(f"{len(rows)} case(s)")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    from ocppcert.reporting import RenderFailed, ReportError, load_document, render_directory

    directory = Path(args.dir)
    try:
        document = load_document(directory)
    except ReportError as exc:
        raise UsageError(str(exc)) from None
    if not isinstance(document, dict) or not isinstance(document.get("cases", []), list):
        raise UsageError(f"{directory / 'report.json'} is not an ocppcert report")
    try:
        timings = render_directory(directory, formats=("html", "pdf"), document=document)
    except RenderFailed as exc:
        raise UsageError(f"{directory}: could not render {exc}") from None
    for name in ("html", "pdf"):
        print(f"{directory / ('report.' + name)}  ({timings[name]:.1f} s)")
    print(directory / "SHA256SUMS")
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    import datetime as dt

    import pytest

    from ocppcert.catalog import suites_root

    role_dir = suites_root() / args.sut.replace("-", "_")
    if not role_dir.is_dir():
        raise UsageError(f"no cases for --sut {args.sut} in this installation")
    report = args.report or str(
        Path("reports") / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{args.sut}")
    argv = [str(role_dir), "-p", "no:cacheprovider", "--sut", args.sut, "--report", report,
            "--listen", args.listen, "-o", "asyncio_default_fixture_loop_scope=function",
            # ocppcert is imported before pytest starts; its asserts need no rewriting.
            "-W", "ignore::pytest.PytestAssertRewriteWarning",
            # a checkout's pyproject names test-only plugins (pytest-timeout) a user may lack
            "-W", "ignore::pytest.PytestConfigWarning"]
    for option in ("ocpp", "sut_url", "sut_id", "advertise", "pics"):
        value = getattr(args, option)
        if value:
            argv += ["--" + option.replace("_", "-"), value]
    if args.strict:
        argv.append("--ocpp-strict")
    extra = list(args.pytest_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    progress = _progress(args.quiet, extra)
    if progress.silence_pytest:  # our progress replaces pytest's letters and summary
        argv += ["-qq", "--no-header", "--no-summary", "-o", "console_output_style=classic"]
    code = pytest.main(argv + extra, plugins=[progress])
    progress.finish()
    _print_report_paths(Path(report), quiet=args.quiet)
    if code in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        return EXIT_OK
    if code == pytest.ExitCode.TESTS_FAILED:
        return EXIT_FAILED
    return EXIT_USAGE


def _progress(quiet: bool, pytest_args: list[str]):
    from ocppcert.progress import Progress

    # -- -v asks for pytest's own per-test output: then ours is only the final table
    verbose = any(a == "--verbose" or (a.startswith("-v") and set(a[1:]) == {"v"})
                  for a in pytest_args)
    return Progress(quiet=quiet, per_case=not verbose)


def _print_report_paths(directory: Path, *, quiet: bool) -> None:
    if not (directory / "report.json").is_file():
        print(f"report: none written to {directory} (no case ran)", file=sys.stderr)
        return
    names = [n for n in ("report.html", "report.pdf", "junit.xml", "allure-results")
             if (directory / n).exists()]
    print(f"report: {directory / 'report.json'}")
    if names and not quiet:
        print(f"        also {', '.join(names)} in {directory}")


def _serve_common(parser: argparse.ArgumentParser, *, default_listen: str) -> None:
    parser.add_argument("--ocpp", choices=["1.2", "1.5", "1.6"], default=None,
                        help="OCPP version (Central System: restrict to one; charge point: "
                        "the version it speaks, default 1.6)")
    parser.add_argument("--listen", default=default_listen, metavar="HOST:PORT",
                        help=f"the SOAP endpoint (default {default_listen}; port 0 = any free)")
    parser.add_argument("--db", default=None, metavar="FILE",
                        help="SQLite state file (default: a new temporary file)")
    parser.add_argument("--control", default="127.0.0.1:0", metavar="HOST:PORT",
                        help="the HTTP JSON control API (default 127.0.0.1, any free port)")
    parser.add_argument("--advertise", default=None, metavar="URL",
                        help="the URL peers reach this endpoint by (default: the bound URL)")


def parse_host_port(value: str, option: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"{option} wants HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


def cmd_serve_central_system(args: argparse.Namespace) -> int:
    from ocppcert.reference.central_system.main import serve

    return serve(args)


def cmd_serve_charge_point(args: argparse.Namespace) -> int:
    from ocppcert.reference.charge_point.main import serve

    return serve(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"ocppcert {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
