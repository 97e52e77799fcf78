"""SOAP 1.2 over HTTP (SOAP 1.2 Part 2 §7) with aiohttp: a server and a client.

The server has one endpoint: every path answers, and the SOAP layer above dispatches
on the body. HTTP-level refusals happen here, where HTTP has a word for them: 405 for
a method other than POST, 413 for a body over the limit (checked after gzip/deflate
decoding, which OCPP-S §6 requires us to accept), 415 for a body that is not XML.
Everything else reaches the SOAP layer, which answers with a SOAP 1.2 fault.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import aiohttp
from aiohttp import web

from ocppcert.xml import DEFAULT_MAX_BYTES

log = logging.getLogger(__name__)

SOAP12_MEDIA_TYPE = "application/soap+xml"
# Media types a SOAP peer may plausibly send; SOAP 1.1 uses text/xml, and the SOAP layer
# answers that with a VersionMismatch fault rather than an HTTP error.
XML_MEDIA_TYPES = frozenset({SOAP12_MEDIA_TYPE, "text/xml", "application/xml"})
_MEDIA_TYPE = re.compile(r"^\s*([^;\s]+)")


class TransportError(Exception):
    """The HTTP exchange failed: refused, reset, timed out, or an unusable reply."""

    def __init__(self, reason: str, *, status: int | None = None, body: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.body = body


@dataclass(frozen=True, slots=True)
class HttpRequestInfo:
    """What the SOAP layer may want to know about the HTTP request that carried a message."""

    method: str
    path: str
    remote: str | None
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class HttpReply:
    status: int
    body: bytes
    content_type: str = f"{SOAP12_MEDIA_TYPE}; charset=utf-8"


# The SOAP layer: bytes of one message in, the reply out.
SoapHandler = Callable[[bytes, HttpRequestInfo], Awaitable[HttpReply]]


def media_type(content_type: str | None) -> str:
    match = _MEDIA_TYPE.match(content_type or "")
    return match.group(1).lower() if match else ""


def soap_content_type(action: str | None = None) -> str:
    """SOAP 1.2 Part 2 §7.1.4: the action travels as a media-type parameter."""
    base = f"{SOAP12_MEDIA_TYPE}; charset=utf-8"
    return f'{base}; action="{action}"' if action else base


async def start_site(app: web.Application, host: str, port: int, **runner_options: Any
                     ) -> tuple[web.AppRunner, int]:
    """Serve ``app`` on host:port (0 = any free port); return the runner and the bound port."""
    runner = web.AppRunner(app, access_log=None, **runner_options)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    try:
        await site.start()
    except OSError:
        await runner.cleanup()
        raise
    server = site._server  # aiohttp exposes the bound sockets only here
    if server is not None and server.sockets:  # type: ignore[union-attr]
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port


REBIND_TIMEOUT = 10.0  # s: SoapServer.set_availability(OPEN) after REFUSE


class Availability(str, Enum):
    """How a server treats its peers; everything but OPEN simulates a lost link using
    only the server's own sockets."""

    OPEN = "open"
    UNAVAILABLE = "unavailable"  # every request answered 503 before it is read
    DROP = "drop"  # every connection closed without an answer
    REFUSE = "refuse"  # not listening at all: connections are refused

    def __str__(self) -> str:
        return self.value


class SoapServer:
    """One aiohttp server on ``host:port`` (port 0 = any free one) handing SOAP bodies on.

    ``open`` is a switch the reference charge point uses to simulate being offline:
    while it is False every request is refused with 503 before it is read.
    :meth:`set_availability` offers the other ways a link can be lost (the harness uses
    them to take the SUT's Central System away).
    """

    def __init__(
        self,
        handler: SoapHandler,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        path: str = "/",
        extra_routes: Callable[[web.Application], None] | None = None,
        wsdl: Callable[[str | None], bytes | None] | None = None,
    ) -> None:
        self.handler = handler
        self.wsdl = wsdl
        self.host = host
        self.port = port
        self.max_bytes = max_bytes
        self.path = path if path.startswith("/") else "/" + path
        self.open = True
        self.availability = Availability.OPEN
        self._extra_routes = extra_routes
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.path}"

    async def start(self) -> str:
        app = web.Application(client_max_size=self.max_bytes)
        if self._extra_routes is not None:
            self._extra_routes(app)
        app.router.add_route("*", "/{tail:.*}", self._serve)
        # A bounded keep-alive so idle peers do not hold connections (and memory) forever.
        self._runner, self.port = await start_site(app, self.host, self.port, keepalive_timeout=30)
        self._site = next(iter(self._runner.sites), None)  # type: ignore[assignment]
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            self._site = None

    async def set_availability(self, mode: Availability | str) -> None:
        """Serve normally again (OPEN), or lose the link in the way ``mode`` names. REFUSE
        closes the listening socket and open connections; OPEN listens again on the same
        port, so the peer's configured address stays right."""
        mode = Availability(mode)
        if self._runner is None:
            raise RuntimeError("start() the server first")
        listening = self._site is not None
        if mode is Availability.REFUSE and listening:
            site, self._site = self._site, None
            await site.stop()  # type: ignore[union-attr]
            # site.stop() leaves established keep-alive connections; a refused peer has none
            server = self._runner.server
            if server is not None:
                for connection in list(server.connections):
                    connection.force_close()
                    if connection.transport is not None:
                        connection.transport.close()
        elif mode is not Availability.REFUSE and not listening:
            self._site = await self._listen_again()
        self.availability = mode

    async def __aenter__(self) -> SoapServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _listen_again(self) -> web.TCPSite:
        """Bind the same port again. While it was free, another socket on this host may
        have taken it for a moment (an outgoing connection's local port): try for a
        bounded time, then give up with the OSError."""
        assert self._runner is not None
        deadline = asyncio.get_running_loop().time() + REBIND_TIMEOUT
        while True:
            site = web.TCPSite(self._runner, self.host, self.port, reuse_address=True)
            try:
                await site.start()
                return site
            except OSError:
                if asyncio.get_running_loop().time() > deadline:
                    raise
            await asyncio.sleep(0.1)  # bounded-poll: no event says a port became free

    async def _serve(self, request: web.Request) -> web.StreamResponse:
        if not self.open or self.availability is Availability.UNAVAILABLE:
            raise web.HTTPServiceUnavailable(text="offline")
        if self.availability is not Availability.OPEN:
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("link dropped on purpose (simulated offline)")
        if request.method == "GET" and self.wsdl is not None and "wsdl" in {
            key.lower() for key in request.query
        }:
            document = self.wsdl(request.query.get("ocpp"))
            if document is None:
                raise web.HTTPNotFound(text="no WSDL for that OCPP version here")
            return web.Response(body=document, content_type="text/xml", charset="utf-8")
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"],
                                           text="SOAP over HTTP: POST only")
        if request.content_length is not None and request.content_length > self.max_bytes:
            raise web.HTTPRequestEntityTooLarge(self.max_bytes, request.content_length)
        kind = media_type(request.content_type)
        if kind and kind not in XML_MEDIA_TYPES:
            raise web.HTTPUnsupportedMediaType(
                text=f"media type {kind!r} is not SOAP 1.2 ({SOAP12_MEDIA_TYPE})"
            )
        try:
            body = await request.read()  # decodes gzip/deflate; aiohttp enforces client_max_size
        except web.HTTPRequestEntityTooLarge:
            raise
        except (aiohttp.ClientPayloadError, aiohttp.http_exceptions.HttpProcessingError) as exc:
            raise web.HTTPBadRequest(text=f"unreadable body: {exc}") from None
        info = HttpRequestInfo(
            method=request.method,
            path=request.path_qs,
            remote=request.remote,
            content_type=request.headers.get("Content-Type", ""),
            headers={k.lower(): v for k, v in request.headers.items()},
        )
        reply = await self.handler(body, info)
        response = web.Response(status=reply.status, body=reply.body)
        response.headers["Content-Type"] = reply.content_type
        if "gzip" in request.headers.get("Accept-Encoding", "") or "deflate" in request.headers.get(
            "Accept-Encoding", ""
        ):
            response.enable_compression()
        return response


class SoapClient:
    """POSTs SOAP 1.2 messages; one aiohttp session, every call bounded by a timeout."""

    def __init__(self, *, max_bytes: int = DEFAULT_MAX_BYTES, limit: int = 100) -> None:
        self.max_bytes = max_bytes
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None

    def _ensure_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                auto_decompress=True,
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(
        self,
        url: str,
        data: bytes,
        *,
        action: str | None = None,
        timeout: float = 30.0,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpReply:
        """Send one message and return the HTTP reply (any status). Raises TransportError
        when no reply arrives in ``timeout`` seconds or the connection fails. ``headers``
        adds HTTP headers (e.g. Content-Encoding for a body the caller compressed)."""
        session = self._ensure_session()
        headers = {
            "Content-Type": content_type or soap_content_type(action),
            "Accept-Encoding": "gzip, deflate",
            **(headers or {}),
        }
        try:
            async with asyncio.timeout(timeout):
                async with session.post(url, data=data, headers=headers) as response:
                    body = await self._read_limited(response)
                    return HttpReply(
                        response.status, body, response.headers.get("Content-Type", "")
                    )
        except TimeoutError:
            raise TransportError(f"no reply from {url} within {timeout:g} s") from None
        except aiohttp.ClientError as exc:
            raise TransportError(f"{url}: {exc.__class__.__name__}: {exc}") from None
        except OSError as exc:
            raise TransportError(f"{url}: {exc}") from None

    async def _read_limited(self, response: aiohttp.ClientResponse) -> bytes:
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(64 * 1024):
            size += len(chunk)
            if size > self.max_bytes:
                raise TransportError(
                    f"reply from {response.url} exceeds {self.max_bytes} bytes",
                    status=response.status,
                )
            chunks.append(chunk)
        return b"".join(chunks)
