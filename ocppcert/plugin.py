"""pytest plugin: the options and fixtures every ocppcert suite shares.

Registered through the ``pytest11`` entry point; the library itself never imports pytest.
"""

from __future__ import annotations

import datetime as dt
import importlib
import sys
import time
from pathlib import Path

import _pytest.outcomes
import pytest
import pytest_asyncio

from ocppcert.catalog import SutRole, case_of
from ocppcert.pics import Pics, PicsError, fitting
from ocppcert.runreport import CaseRecord, judge_messages, schemas_entry, write_report
from ocppcert.schema import SchemaSourceError, Validator
from ocppcert.transport import WireRecord, WireRecorder
from ocppcert.verdicts import CannotDrive, NotApplicable, Verdict, verdict_of
from ocppcert.versions import OcppVersion


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
    _add_case_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ocpp(*versions): the OCPP versions a case applies to")


@pytest.fixture(scope="session")
def ocpp_version(pytestconfig: pytest.Config) -> str | None:
    value = pytestconfig.getoption("--ocpp")
    return None if value == "auto" else value


def _is_strict(config: pytest.Config) -> bool:
    # pytest owns --strict; CONTRACT.md promises it to users, so it switches ours on too.
    return bool(config.getoption("ocppcert_strict") or config.getoption("strict", False))


@pytest.fixture(scope="session")
def strict(pytestconfig: pytest.Config) -> bool:
    return _is_strict(pytestconfig)


@pytest.fixture(scope="session")
def message_validator(pytestconfig: pytest.Config, strict: bool) -> Validator:
    """The validator every wire message of the session goes through."""
    try:
        validator = Validator(pytestconfig.getoption("--schemas"), strict=strict)
    except SchemaSourceError as exc:
        raise pytest.UsageError(str(exc)) from None
    pytestconfig.stash[_VALIDATOR] = validator  # report.json: the schema files it used
    return validator


_VALIDATOR = pytest.StashKey[Validator]()


# -- conformance cases --------------------------------------------------------------------
# Cases are ``async def`` functions in suites/ carrying ocppcert.catalog metadata. Each runs
# once per OCPP version it applies to (``case_version``), on one session-wide event loop so
# that the harness endpoint outlives the cases, and ends in a verdict (ocppcert.verdicts).

_RECORD = pytest.StashKey[CaseRecord]()
_START = pytest.StashKey[float]()
_MARK = pytest.StashKey[int]()
_RECORDER = pytest.StashKey[WireRecorder]()
_RECORDS: list[CaseRecord] = []


def _add_case_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("ocppcert")
    group.addoption("--sut", choices=[r.value for r in SutRole], default=None,
                    help="run only the cases for this SUT role (default: both)")
    group.addoption("--sut-url", default=None, metavar="URL",
                    help="the SUT's SOAP endpoint; without it, the bundled reference is the SUT")
    group.addoption("--sut-id", default=None, metavar="ID", help="the SUT's chargeBoxIdentity")
    group.addoption("--listen", default="127.0.0.1:0", metavar="HOST:PORT",
                    help="the harness's own endpoint (default 127.0.0.1, any free port)")
    group.addoption("--advertise", default=None, metavar="URL",
                    help="the URL the SUT reaches the harness by (wsa:From)")
    group.addoption("--pics", default=None, metavar="FILE", help="the SUT's PICS (TOML)")
    group.addoption("--report", default=None, metavar="DIR", help="write report.json there")
    group.addoption("--report-formats", default=None, metavar="LIST",
                    type=_report_formats,
                    help="what --report renders from report.json: a comma-separated list of "
                    "html,pdf,junit,allure, or none (default: all)")
    group.addoption("--sut-adapter", default=None, metavar="MODULE:FACTORY",
                    help="a driver for the SUT's physical side (see ocppcert.sut)")
    group.addoption("--reference-class", default=None, metavar="MODULE:CLASS",
                    help="self-test: run the reference SUT as this subclass (a mutant)")
    group.addoption("--harness-id", default="OCPPCERT-CP1", metavar="ID",
                    help="central-system cases: the chargeBoxIdentity of the harness's charge "
                    "point (more in a fleet get -2, -3, ...); the SUT must know it")


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector: pytest.Collector, name: str, obj: object) -> None:
    # Cases share the session's event loop with the harness fixtures (pytest-asyncio
    # reads the mark off the function when it builds the item).
    if case_of(obj) is not None and not any(
            m.name == "asyncio" for m in getattr(obj, "pytestmark", [])):
        pytest.mark.asyncio(loop_scope="session")(obj)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    found = case_of(metafunc.function)
    if found is None or "case_version" not in metafunc.fixturenames:
        return
    wanted = metafunc.config.getoption("--ocpp")
    versions = [v for v in found.versions if wanted in (None, "auto", v.value)]
    metafunc.parametrize("case_version", versions, ids=[found.id_for(v) for v in versions])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    role = config.getoption("--sut")
    kept, dropped = [], []
    for item in items:
        found = case_of(getattr(item, "function", None))
        callspec = getattr(item, "callspec", None)
        # a case with no version left under --ocpp is parametrized with nothing (NOTSET)
        versionless = found is not None and not isinstance(
            callspec.params.get("case_version") if callspec else None, OcppVersion)
        wrong_role = found is not None and role is not None and found.sut.value != role
        (dropped if versionless or wrong_role else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(scope="session")
def session_pics(pytestconfig: pytest.Config) -> Pics:
    """The PICS of --pics, or (without one) a SUT claiming every profile and feature."""
    path = pytestconfig.getoption("--pics")
    if path is None:
        return Pics(source="no PICS: every profile and feature assumed")
    try:
        return Pics.load(path)
    except PicsError as exc:
        raise pytest.UsageError(str(exc)) from None


def _reference_sut(config: pytest.Config) -> bool:
    return not (config.getoption("--sut-url") or config.getoption("--sut-adapter"))


@pytest.fixture
def pics(request: pytest.FixtureRequest, session_pics: Pics) -> Pics:
    """The PICS this case runs under. Without --pics the bundled reference is built to
    fit each case (with a fixed cable for a fixed-cable case, without the Reservation
    profile for a "not supported" case, ...), so that the whole catalogue applies. Against
    another charge point, it is the PICS derived from it (``derived_pics``)."""
    found = case_of(request.function)
    if found is None or request.config.getoption("--pics"):
        return session_pics
    if not _reference_sut(request.config):
        if found.sut is SutRole.CHARGE_POINT and "case_version" in request.fixturenames:
            return request.getfixturevalue("derived_pics")
        return session_pics
    return fitting(session_pics, found.requires)


_DERIVED = pytest.StashKey[tuple[Pics, list[WireRecord]]]()
_FIRST_BOOT = pytest.StashKey[WireRecord]()


@pytest_asyncio.fixture(loop_scope="session")
async def derived_pics(request: pytest.FixtureRequest, cs, case_version: OcppVersion,
                       session_pics: Pics) -> Pics:
    """Without --pics, the PICS of a charge point that is not the bundled reference: derived
    once per session, at the first case whose SUT is up, from its BootNotification and
    GetConfiguration (ocppcert.derive); what could not be read keeps the default."""
    done = request.config.stash.get(_DERIVED, None)
    if done is not None:
        return done[0]
    from ocppcert.derive import derive_from_sut

    driver = _charge_point_driver(request.config, session_pics)
    cs.version = case_version
    cs.sut_identity = driver.identity
    try:
        await driver.prepare(cs.url, case_version.value)
        if driver.url and cs.fixed_sut_url is None:
            cs.sut_url = driver.url
        _note_first_boot(request.config, cs)
        derived, evidence = await derive_from_sut(cs, case_version)
    finally:
        await driver.release()
    request.config.stash[_DERIVED] = (derived, evidence)
    return derived


def _note_first_boot(config: pytest.Config, cs) -> None:
    """Keep the first BootNotification the SUT sent (for sut.identity in the report)."""
    if _FIRST_BOOT not in config.stash:
        from ocppcert.derive import first_boot

        boot = first_boot(cs.recorder.records)
        if boot is not None:
            config.stash[_FIRST_BOOT] = boot


def _not_applicable(reason: str, pics: Pics) -> NotApplicable:
    """The case does not apply; the reason names the PICS that says so."""
    return NotApplicable(f"{reason} (PICS: {pics.source})")


def _host_port(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not port.isdigit():
        raise pytest.UsageError(f"--listen wants HOST:PORT, got {value!r}")
    return host.strip("[]") or "127.0.0.1", int(port)


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def cs(pytestconfig: pytest.Config, message_validator: Validator):
    """The harness playing the Central System, for the whole session."""
    from ocppcert.roles.central_system import CentralSystemHarness

    host, port = _host_port(pytestconfig.getoption("--listen"))
    harness = CentralSystemHarness(host=host, port=port, validator=message_validator,
                                   advertise=pytestconfig.getoption("--advertise"),
                                   sut_url=pytestconfig.getoption("--sut-url"))
    await harness.start()
    yield harness
    await harness.stop()


def _charge_point_driver(config: pytest.Config, pics: Pics):
    from ocppcert.sut import ManualChargePointSut, ReferenceChargePointSut, load_adapter

    identity = config.getoption("--sut-id")
    adapter = config.getoption("--sut-adapter")
    if adapter:
        return load_adapter(adapter, identity=identity or "CP-SUT")
    if config.getoption("--sut-url"):
        return ManualChargePointSut(identity or "CP-SUT", url=config.getoption("--sut-url"))
    station_class = None
    spec = config.getoption("--reference-class")
    if spec:
        module, _, name = spec.partition(":")
        station_class = getattr(importlib.import_module(module), name)
    options = {"station_class": station_class} if station_class else {}
    return ReferenceChargePointSut(identity or "CP-REF", pics=pics, **options)


@pytest_asyncio.fixture(loop_scope="session")
async def charge_point(request: pytest.FixtureRequest, cs, case_version: OcppVersion,
                       pics: Pics):
    """The charge point under test, idle and Accepted (OCTT's general preconditions), with
    the harness's record of the case starting now."""
    found = case_of(request.function)
    if found is not None and (reason := found.applies(pics)):
        raise _not_applicable(reason, pics)
    if pics.ocpp_version and pics.ocpp_version != case_version.value:
        raise _not_applicable(f"the SUT speaks OCPP {pics.ocpp_version}", pics)
    driver = _charge_point_driver(request.config, pics)
    cs.version = case_version
    cs.sut_identity = driver.identity
    try:
        await driver.prepare(cs.url, case_version.value)
    except Exception:
        await driver.release()
        raise
    if driver.url and cs.fixed_sut_url is None:
        cs.sut_url = driver.url
    _note_first_boot(request.config, cs)
    request.node.stash[_MARK] = cs.begin_case(case_version)
    request.node.stash[_RECORDER] = cs.recorder
    yield driver
    if not cs.online:  # a case that failed while it held the link down
        await cs.go_online()
    await driver.release()


def _central_system_driver(config: pytest.Config):
    from ocppcert.sut import (
        CentralSystemSut,
        ManualCentralSystemSut,
        ReferenceCentralSystemSut,
        load_adapter,
    )

    adapter = config.getoption("--sut-adapter")
    url = config.getoption("--sut-url")
    if adapter:
        return load_adapter(adapter, expected=CentralSystemSut, url=url)
    if url:
        return ManualCentralSystemSut(url)
    spec = config.getoption("--reference-class")
    if spec:
        module, _, name = spec.partition(":")
        return ReferenceCentralSystemSut(
            central_system_class=getattr(importlib.import_module(module), name))
    return ReferenceCentralSystemSut()


@pytest_asyncio.fixture(loop_scope="session")
async def central_system(request: pytest.FixtureRequest, case_version: OcppVersion,
                         pics: Pics):
    """The Central System under test, running and reachable (``.url``)."""
    found = case_of(request.function)
    if found is not None and (reason := found.applies(pics)):
        raise _not_applicable(reason, pics)
    if pics.ocpp_version and pics.ocpp_version != case_version.value:
        raise _not_applicable(f"the SUT speaks OCPP {pics.ocpp_version}", pics)
    driver = _central_system_driver(request.config)
    try:
        await driver.prepare(case_version.value)
    except Exception:
        await driver.release()
        raise
    yield driver
    await driver.release()


class Fleet:
    """The harness's charge points in one case: one recorder, distinct identities and
    endpoints. ``await fleet.add()`` brings another one up."""

    def __init__(self, config: pytest.Config, validator: Validator, central_system_url: str,
                 version: OcppVersion) -> None:
        self.config = config
        self.validator = validator
        self.central_system_url = central_system_url
        self.version = version
        self.recorder = WireRecorder(capacity=100_000)
        self.members: list = []

    async def add(self, identity: str | None = None):
        from ocppcert.roles.charge_point import ChargePointHarness

        base = self.config.getoption("--harness-id")
        number = len(self.members) + 1
        host, port = _host_port(self.config.getoption("--listen"))
        advertise = self.config.getoption("--advertise") if number == 1 else None
        harness = ChargePointHarness(
            identity or (base if number == 1 else f"{base}-{number}"),
            central_system_url=self.central_system_url, version=self.version,
            host=host, port=port if number == 1 else 0, advertise=advertise,
            validator=self.validator, recorder=self.recorder)
        await harness.start()
        self.members.append(harness)
        return harness

    async def close(self) -> None:
        for harness in self.members:
            await harness.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def fleet(request: pytest.FixtureRequest, central_system, case_version: OcppVersion,
                message_validator: Validator):
    """The harness's charge points for this case (see :class:`Fleet`)."""
    if central_system.url is None:
        raise NotApplicable("the Central System's address is unknown (--sut-url)")
    crew = Fleet(request.config, message_validator, central_system.url, case_version)
    request.node.stash[_MARK] = 0
    request.node.stash[_RECORDER] = crew.recorder
    yield crew
    await crew.close()


@pytest_asyncio.fixture(loop_scope="session")
async def cp(fleet: Fleet):
    """The harness playing one charge point (the fleet's first), serving its
    ChargePointService; it has not booted yet."""
    return await fleet.add()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    found = case_of(getattr(item, "function", None))
    callspec = getattr(item, "callspec", None)
    if found is None or callspec is None or "case_version" not in callspec.params:
        return
    item.stash[_RECORD] = CaseRecord(found, callspec.params["case_version"])
    item.stash[_START] = time.monotonic()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    record = item.stash.get(_RECORD, None)
    if record is None:
        return report
    error = call.excinfo.value if call.excinfo else None
    if call.when == "setup" and error is not None:
        _settle(record, error, report)
    elif call.when == "call":
        _settle(record, error, report)
        if record.verdict is Verdict.PASS or record.verdict is Verdict.FAIL:
            _judge_wire(item, record, report)
        _add_checks(item, record, error)
    elif call.when == "teardown" and record not in _RECORDS:
        record.duration_s = time.monotonic() - item.stash.get(_START, time.monotonic())
        _collect_messages(item, record)
        _RECORDS.append(record)
    return report


def case_record(item: pytest.Item) -> CaseRecord | None:
    """The case's record (verdict, reason, messages) once it ran; None for a plain test."""
    return item.stash.get(_RECORD, None)


def _settle(record: CaseRecord, error: BaseException | None, report: pytest.TestReport) -> None:
    if isinstance(error, _pytest.outcomes.Skipped):
        record.verdict, record.reason = Verdict.SKIPPED, str(error.msg)
        return
    record.verdict = verdict_of(error)
    if error is not None:
        record.reason = str(error) or type(error).__name__
        if record.verdict is Verdict.ERROR and not str(error):
            record.reason = f"{type(error).__name__} in the harness"
    if isinstance(error, NotApplicable | CannotDrive):
        report.outcome = "skipped"
        report.longrepr = (str(item_path(report)), 0, f"{record.verdict.value}: {error}")


def item_path(report: pytest.TestReport) -> str:
    return report.location[0] if report.location else report.nodeid


def _collect_messages(item: pytest.Item, record: CaseRecord) -> None:
    recorder = item.stash.get(_RECORDER, None)
    if recorder is None:
        return
    mark = item.stash.get(_MARK, 0)
    record.messages = [r for r in recorder.records if r.seq > mark]


def _add_checks(item: pytest.Item, record: CaseRecord, error: BaseException | None) -> None:
    """The case's checks (ocppcert.checks), drained from its recorder: a passing case with
    a skipped check becomes PARTIAL."""
    recorder = item.stash.get(_RECORDER, None)
    dropped = recorder.checks.dropped if recorder is not None else 0
    logged = recorder.checks.drain() if recorder is not None else []
    if not record.messages:
        _collect_messages(item, record)
    strict = _is_strict(item.config)
    record.add_checks(logged, error=error, strict=strict, dropped=dropped)


def _judge_wire(item: pytest.Item, record: CaseRecord, report: pytest.TestReport) -> None:
    _collect_messages(item, record)
    strict = _is_strict(item.config)
    failures, harness, warnings = judge_messages(record.messages, record.version, strict=strict)
    record.warnings = warnings
    if harness:
        record.verdict, record.reason = Verdict.ERROR, "; ".join(harness)
    elif failures and record.verdict is Verdict.PASS:
        record.verdict, record.reason = Verdict.FAIL, "; ".join(failures)
    else:
        return
    report.outcome = "failed"
    report.longrepr = f"{record.verdict.value}: {record.reason}"


_STARTED = pytest.StashKey[dt.datetime]()


@pytest.hookimpl(trylast=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_STARTED] = dt.datetime.now(dt.UTC)


def pytest_sessionfinish(session: pytest.Session) -> None:
    directory = session.config.getoption("--report", None)
    if not directory or not _RECORDS:
        return
    started = session.config.stash.get(_STARTED, dt.datetime.now(dt.UTC))
    source = session.config.getoption("--schemas")
    roles = sorted({r.case.sut.value for r in _RECORDS})
    write_report(
        Path(directory), records=list(_RECORDS), started=started,
        finished=dt.datetime.now(dt.UTC),
        schemas=schemas_entry(source, session.config.stash.get(_VALIDATOR, None)),
        sut={"role": roles[0] if len(roles) == 1 else roles,
             "url": session.config.getoption("--sut-url") or "reference (in process)",
             **_sut_facts(session.config, roles, list(_RECORDS))},
        run={"ocpp_version": sorted({r.version.value for r in _RECORDS}),
             "profiles": sorted({r.case.profile for r in _RECORDS}),
             "strict": _is_strict(session.config)},
    )
    # everything else in the directory is rendered from report.json (ocppcert.reporting)
    from ocppcert.reporting import RenderFailed, render_directory

    wanted = session.config.getoption("--report-formats", None)
    try:
        render_directory(Path(directory), **({} if wanted is None else {"formats": wanted}))
    except RenderFailed as exc:
        # report.json and the formats that did render stay; the run says what is missing
        print(f"ocppcert: {directory}: could not render {exc}", file=sys.stderr)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


def _report_formats(value: str) -> tuple[str, ...]:
    """``--report-formats``: checked when the command line is parsed, not after the run."""
    import argparse

    from ocppcert.reporting import FORMATS

    names = tuple(n.strip() for n in value.split(",") if n.strip() and n.strip() != "none")
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown {', '.join(unknown)} "
                                         f"(known: {', '.join(FORMATS)}, none)")
    return names


def _sut_facts(config: pytest.Config, roles: list[str], records: list[CaseRecord]
               ) -> dict[str, object]:
    """report.json's sut.pics (with where it came from), sut.identity, sut.identity_source,
    and sut.evidence: the wire records behind them that no case holds."""
    from ocppcert.derive import sut_identity

    path = config.getoption("--pics")
    derived = config.stash.get(_DERIVED, None)
    evidence: list[WireRecord] = list(derived[1]) if derived else []
    if path:
        used = Pics.load(path)
    elif derived:
        used = derived[0]
    else:
        role = roles[0] if len(roles) == 1 else "charge-point"
        used = Pics(role=role, source=_no_pics_source(config, roles))
    boot = config.stash.get(_FIRST_BOOT, None)
    if boot is not None and all(r.seq != boot.seq for r in evidence):
        evidence.insert(0, boot)
    identity, identity_source = sut_identity(
        records, used, role=roles[0] if len(roles) == 1 else roles,
        url=config.getoption("--sut-url"), before=[boot] if boot is not None else [])
    if identity_source == "unknown" and roles == ["central-system"] and _reference_sut(config):
        from ocppcert import __version__

        identity = {"vendor": "ocppcert", "model": "reference Central System", "serial": None,
                    "firmware": __version__}
        identity_source = "the bundled reference Central System, in process"
    facts: dict[str, object] = {"identity": identity, "identity_source": identity_source,
                                "pics": used.as_dict()}
    if evidence:
        facts["evidence"] = [r.as_dict() for r in sorted(evidence, key=lambda r: r.seq)]
    return facts


def _no_pics_source(config: pytest.Config, roles: list[str]) -> str:
    if _reference_sut(config):
        names = {"charge-point": "the bundled reference charge point, built to fit each case",
                 "central-system": "the bundled reference Central System, to which every "
                                   "case applies"}
        return "no PICS: " + "; ".join(names[r] for r in roles)
    if roles == ["central-system"]:
        return "no PICS: every profile and feature assumed (a Central System is not asked)"
    return ("no PICS, and none derived (no case reached a booted charge point): every "
            "profile and feature assumed")
