"""Run the benchmarks, print their tables, and keep the figures.

    python bench/run.py                           # everything
    python bench/run.py --only validate           # 10,000 envelopes per corpus, best of 3
    python bench/run.py --only central-system     # 100 and 1,000 concurrent charge points
    python bench/run.py --messages 2000 --repeat 1 --charge-points 50

Results also go to bench/results/<benchmark>-<UTC time>.json (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from validate import KINDS_RUN, Timing, command_line, in_process  # noqa: E402

import lxml.etree  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"
BASELINE = {"in-process": "raw lxml", "command line": "raw lxml CLI"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip the command-line runs")
    parser.add_argument("--only", choices=["validate", "central-system"], default=None)
    parser.add_argument("--charge-points", type=int, nargs="+", default=[100, 1000],
                        help="concurrent simulated charge points per central-system round")
    parser.add_argument("--ocpp", default="1.6", choices=["1.2", "1.5", "1.6"],
                        help="OCPP version of the simulated charge points")
    args = parser.parse_args(argv)

    console = Console(width=130)
    if args.only in (None, "validate"):
        bench_validate(args, console)
    if args.only in (None, "central-system"):
        bench_central_system(args, console)
    return 0


def _environment() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)),
        "cpus": os.cpu_count(),
    }


def _save(name: str, payload: dict[str, object], console: Console) -> None:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{name}-{stamp}.json"
    out.write_text(json.dumps({"benchmark": name, "when": stamp, **payload, **_environment()},
                              indent=2) + "\n")
    console.print(f"results: {out}")


def bench_central_system(args: argparse.Namespace, console: Console) -> None:
    from central_system import run as run_load

    with console.status("reference Central System under load"):
        results = run_load(tuple(args.charge_points), args.ocpp)
    table = Table(title=f"Reference Central System, OCPP {args.ocpp}: Boot, Heartbeat, "
                  "Start/StopTransaction per charge point, all at once")
    for column in ("charge points", "requests", "errors", "seconds", "requests/s", "p50 ms",
                   "p99 ms"):
        table.add_column(column, justify="right")
    for r in results:
        table.add_row(str(r.charge_points), str(r.requests), str(r.errors), f"{r.seconds:.2f}",
                      f"{r.per_second:,.0f}", f"{r.percentile(50):.1f}", f"{r.percentile(99):.1f}")
    console.print(table)
    _save("central-system", {"ocpp_version": args.ocpp,
                             "results": [r.as_dict() for r in results]}, console)


def bench_validate(args: argparse.Namespace, console: Console) -> None:
    rows: list[tuple[str, Timing]] = []
    for kind in KINDS_RUN:
        with console.status(f"in-process, {kind} corpus"):
            rows += [("in-process", t) for t in in_process(kind, args.messages, args.repeat)]
        if not args.no_cli:
            with console.status(f"command line, {kind} corpus"):
                rows += [("command line", t) for t in command_line(kind, args.messages, args.repeat)]

    base = {(mode, t.corpus): t for mode, t in rows if t.contender == BASELINE[mode]}
    table = Table(title=f"Validation throughput, {args.messages} envelopes, best of {args.repeat}")
    for column in ("corpus", "mode", "contender", "seconds", "msgs/s", "× raw lxml", "found valid"):
        table.add_column(column, justify="right" if column[0] in "smf×" else "left")
    records = []
    for mode, t in rows:
        ratio = t.per_second / base[(mode, t.corpus)].per_second
        table.add_row(t.corpus, mode, t.contender, f"{t.seconds:.3f}", f"{t.per_second:,.0f}",
                      f"{ratio:.2f}", "" if t.valid < 0 else str(t.valid))
        records.append({"corpus": t.corpus, "mode": mode, "contender": t.contender,
                        "messages": t.messages, "seconds": t.seconds,
                        "per_second": t.per_second, "ratio_to_raw_lxml": ratio,
                        "found_valid": None if t.valid < 0 else t.valid})
    console.print(table)
    _save("validate", {"messages": args.messages, "repeat": args.repeat, "results": records},
          console)


if __name__ == "__main__":
    raise SystemExit(main())
