"""The small HTTP JSON control API each reference program offers (documented in README).

Both programs build theirs on :class:`ControlApi`: JSON in, JSON out, errors as
``{"error": "..."}`` with a 4xx/5xx status, bound to 127.0.0.1 by default.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ocppcert.transport.http import start_site

Handler = Callable[[web.Request], Awaitable[Any]]


class ControlError(Exception):
    """A control request that cannot be carried out; ``status`` is the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def json_response(data: Any, status: int = 200) -> web.Response:
    return web.Response(status=status, text=json.dumps(data, default=str, indent=1),
                        content_type="application/json")


async def read_json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ControlError(f"request body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ControlError("request body must be a JSON object")
    return data


def endpoint(function: Handler) -> Handler:
    """Wrap a route: its return value becomes JSON; ControlError becomes {"error": ...}."""

    async def wrapped(request: web.Request) -> web.Response:
        try:
            result = await function(request)
        except ControlError as exc:
            return json_response({"error": exc.message}, exc.status)
        if isinstance(result, web.StreamResponse):
            return result  # type: ignore[return-value]
        return json_response(result)

    wrapped.__name__ = function.__name__
    wrapped.__doc__ = function.__doc__
    return wrapped


class ControlApi:
    """Subclasses add their routes in :meth:`routes`; ``GET /`` lists them."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    def routes(self) -> list[web.RouteDef]:
        raise NotImplementedError

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> str:
        app = web.Application(client_max_size=1024 * 1024)
        routes = self.routes()
        index = [f"{r.method} {r.path}  {(r.handler.__doc__ or '').strip().splitlines()[0]}"
                 if r.handler.__doc__ else f"{r.method} {r.path}" for r in routes]

        async def listing(request: web.Request) -> web.Response:
            return json_response({"routes": index})

        app.add_routes([web.get("/", listing), *routes])
        self._runner, self.port = await start_site(app, self.host, self.port)
        return self.url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
