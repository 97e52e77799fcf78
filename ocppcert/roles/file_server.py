"""A file server for the transfers the Central System asks a charge point to make.

UpdateFirmware names a location the charge point downloads from; GetDiagnostics a
location it uploads to (OCPP 1.6 §5.19, §5.9; 1.5 §5.17, §5.6). The harness serves
both over HTTP on an ephemeral port and records every attempt, so a case can check
that the charge point really fetched the firmware or delivered its diagnostics:

    async with FileServer.beside(cs) as files:
        url = files.publish("/firmware/cp.bin", image)
        ...
        download = await files.wait_for(lambda t: t.kind is TransferKind.DOWNLOAD,
                                        timeout=30)

Paths are of three kinds: published files (GET/HEAD answered with their bytes),
upload areas (PUT or POST under a prefix is stored; a multipart POST keeps its first
file part), and refusing paths (every request answered with the status given, e.g. a
full disk or missing permission). Anything else is 404. Only HTTP is spoken: FTP(S)
is not implemented.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from ocppcert.transport.http import start_site

MAX_UPLOAD = 16 * 1024 * 1024


class TransferKind(str, Enum):
    DOWNLOAD = "download"  # the peer fetched a published file
    UPLOAD = "upload"  # the peer stored a file in an upload area
    REFUSED = "refused"  # the peer's request hit a refusing path
    MISSING = "missing"  # the peer asked for something that is not there (404)

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Transfer:
    """One HTTP request the server received, and what it did with it."""

    kind: TransferKind
    method: str
    path: str
    status: int
    data: bytes = b""  # the bytes uploaded (uploads only)
    content_type: str | None = None
    file_name: str | None = None  # the multipart part's file name, if any
    remote: str | None = None
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


@dataclass(frozen=True)
class _Published:
    data: bytes
    content_type: str


class FileServer:
    """HTTP file server on ``host`` (an ephemeral port unless ``port`` is given).

    ``advertise_host``: the host name peers reach it by, when that differs from the
    address bound (e.g. bound to 0.0.0.0).
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *,
                 advertise_host: str | None = None, max_upload: int = MAX_UPLOAD) -> None:
        self.host = host
        self.port = port
        self.advertise_host = advertise_host
        self.max_upload = max_upload
        self.transfers: list[Transfer] = []
        self._published: dict[str, _Published] = {}
        self._upload_prefixes: list[str] = []
        self._refusing: dict[str, int] = {}
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Event()

    @classmethod
    def beside(cls, endpoint: Any) -> FileServer:
        """A file server on the interface of ``endpoint`` (e.g. the harness), reachable
        by the host name the endpoint is advertised under."""
        server = getattr(endpoint, "server", None)
        host = getattr(server, "host", None) or "127.0.0.1"
        advertised = urlsplit(endpoint.url).hostname
        return cls(host=host, advertise_host=advertised if advertised != host else None)

    # -- life cycle ---------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application(client_max_size=self.max_upload)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.port = await start_site(app, self.host, self.port)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FileServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The base URL, without a trailing slash."""
        host = self.advertise_host or self.host
        if host in ("0.0.0.0", "::"):
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def url_for(self, path: str) -> str:
        return self.url + _normal(path)

    # -- what is served -----------------------------------------------------------------
    def publish(self, path: str, data: bytes,
                content_type: str = "application/octet-stream") -> str:
        """Serve ``data`` at ``path``; returns its URL."""
        self._published[_normal(path)] = _Published(bytes(data), content_type)
        return self.url_for(path)

    def accept_uploads(self, prefix: str = "/upload/") -> str:
        """Store what is PUT or POSTed at ``prefix`` or below; returns the prefix's URL."""
        self._upload_prefixes.append(_normal(prefix))
        return self.url_for(prefix)

    def refuse(self, prefix: str, status: int = 403) -> str:
        """Answer every request at ``prefix`` or below with ``status``; returns its URL."""
        if not 400 <= status <= 599:
            raise ValueError(f"a refusal is an HTTP error status, not {status}")
        self._refusing[_normal(prefix)] = status
        return self.url_for(prefix)

    # -- what happened --------------------------------------------------------------------
    def of_kind(self, kind: TransferKind) -> list[Transfer]:
        return [t for t in self.transfers if t.kind is kind]

    @property
    def downloads(self) -> list[Transfer]:
        return self.of_kind(TransferKind.DOWNLOAD)

    @property
    def uploads(self) -> list[Transfer]:
        return self.of_kind(TransferKind.UPLOAD)

    async def wait_for(self, predicate: Callable[[Transfer], bool], *,
                       timeout: float) -> Transfer:
        """The first recorded transfer satisfying ``predicate``, waiting up to
        ``timeout`` seconds for it (TimeoutError if none comes)."""
        async with asyncio.timeout(timeout):
            while True:
                for transfer in self.transfers:
                    if predicate(transfer):
                        return transfer
                changed = self._changed
                await changed.wait()

    # -- serving ------------------------------------------------------------------------
    def _record(self, transfer: Transfer) -> None:
        self.transfers.append(transfer)
        self._changed.set()
        self._changed = asyncio.Event()

    def _under(self, prefixes: Any, path: str) -> str | None:
        for prefix in prefixes:
            if path == prefix or path.startswith(prefix if prefix.endswith("/")
                                                 else prefix + "/"):
                return prefix
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = _normal(request.path)
        method = request.method.upper()
        remote = request.remote
        refusing = self._under(self._refusing, path)
        if refusing is not None:
            status = self._refusing[refusing]
            if request.can_read_body:
                await request.read()
            self._record(Transfer(TransferKind.REFUSED, method, path, status, remote=remote))
            return web.Response(status=status, text=f"refused by the test harness ({status})\n")
        if method in ("PUT", "POST") and self._under(self._upload_prefixes, path) is not None:
            data, content_type, file_name = await _body_of(request)
            self._record(Transfer(TransferKind.UPLOAD, method, path, 201 if method == "PUT"
                                  else 200, data, content_type, file_name, remote))
            return web.Response(status=201 if method == "PUT" else 200, text="stored\n")
        published = self._published.get(path)
        if published is not None and method in ("GET", "HEAD"):
            self._record(Transfer(TransferKind.DOWNLOAD, method, path, 200,
                                  content_type=published.content_type, remote=remote))
            # aiohttp leaves the body out of an answer to HEAD by itself
            return web.Response(status=200, body=published.data,
                                content_type=published.content_type)
        if published is not None or self._under(self._upload_prefixes, path) is not None:
            return web.Response(status=405, text="method not allowed here\n")
        self._record(Transfer(TransferKind.MISSING, method, path, 404, remote=remote))
        return web.Response(status=404, text="not found\n")


async def _body_of(request: web.Request) -> tuple[bytes, str | None, str | None]:
    """The uploaded bytes: the raw body, or a multipart form's first file part."""
    content_type = request.content_type
    if content_type.startswith("multipart/"):
        reader = await request.multipart()
        first: tuple[bytes, str | None, str | None] | None = None
        async for part in reader:
            data = await part.read(decode=True)  # type: ignore[union-attr]
            entry = (bytes(data), part.headers.get("Content-Type"),  # type: ignore[union-attr]
                     part.filename)  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                return entry
            first = first or entry
        return first or (b"", content_type, None)
    return await request.read(), content_type or None, None


def _normal(path: str) -> str:
    return path if path.startswith("/") else "/" + path


__all__ = ["FileServer", "Transfer", "TransferKind"]
