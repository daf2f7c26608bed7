"""A small case-insensitive router, because both real servers are ASP.NET apps.

ASP.NET matches route literals case-insensitively, and Creatio's own code calls the Identity
Service with mixed casing (``clients/addregistrar`` next to ``Clients/update``, creatio-oauth.md
§1.2). Starlette's router is case-sensitive, so the mock dispatches by hand: literal segments are
compared case-insensitively, ``{name}`` segments capture the raw value (case preserved).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

__all__ = ["Handler", "Router"]

Handler = Callable[[Request], Awaitable[Response]]

log = logging.getLogger(__name__)


def _split(path: str) -> tuple[str, ...]:
    return tuple(segment for segment in path.split("/") if segment)


@dataclass(frozen=True)
class _Route:
    methods: frozenset[str]
    segments: tuple[str, ...]
    handler: Handler

    def match(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        if len(segments) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for pattern, actual in zip(self.segments, segments, strict=True):
            if pattern.startswith("{") and pattern.endswith("}"):
                params[pattern[1:-1]] = actual
            elif pattern.lower() != actual.lower():
                return None
        return params


class Router:
    """An ASGI app dispatching on (method, case-insensitive path)."""

    def __init__(self, not_found: Handler | None = None, down: Callable[[], bool] | None = None) -> None:
        """``down``: while it returns True, every request gets 503 (an outage the mock can simulate)."""
        self._routes: list[_Route] = []
        self._not_found = not_found
        self._down = down

    def add(self, methods: str | tuple[str, ...], path: str, handler: Handler) -> None:
        names = (methods,) if isinstance(methods, str) else methods
        self._routes.append(_Route(frozenset(m.upper() for m in names), _split(path), handler))

    def _resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], set[str]]:
        segments = _split(path)
        allowed: set[str] = set()
        for route in self._routes:
            params = route.match(segments)
            if params is None:
                continue
            if method in route.methods:
                return route.handler, params, allowed
            allowed |= route.methods
        return None, {}, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # uvicorn runs with lifespan="off"; websockets are not served
            return
        request = Request(scope, receive)
        handler, params, allowed = self._resolve(request.method, scope["path"])
        if self._down is not None and self._down():
            response = Response(status_code=503, headers={"Retry-After": "60"})
        elif handler is not None:
            scope["path_params"] = params
            try:
                response = await handler(request)
            except ClientDisconnect:
                # The client went away mid-body (or uvicorn already refused a malformed one): there
                # is nobody to answer.
                return
            except Exception:
                # A bug in the mock must show up as a 500, never as a hung connection.
                log.exception("mock handler failed: %s %s", request.method, scope["path"])
                response = JSONResponse({"error": "mock internal error"}, status_code=500)
        elif allowed:
            response = Response(status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
        elif self._not_found is not None:
            response = await self._not_found(request)
        else:
            response = Response(status_code=404)
        await response(scope, receive, send)
