"""The two protected resources, written with DOT's own generic views so DOT decides every answer."""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, JsonResponse  # type: ignore[import-untyped]
from oauth2_provider.views.generic import ScopedProtectedResourceView  # type: ignore[import-untyped]

from .dot_settings import ADMIN_SCOPE, READ_SCOPE

__all__ = ["AdminResource", "ReadResource"]


class ReadResource(ScopedProtectedResourceView):  # type: ignore[misc]  # DOT is untyped
    """GET answers 200 JSON to a bearer token with scope read (the default scope)."""

    required_scopes: ClassVar[list[str]] = [READ_SCOPE]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        return JsonResponse({"resource": "read", "scopes_required": self.required_scopes})


class AdminResource(ScopedProtectedResourceView):  # type: ignore[misc]  # DOT is untyped
    """GET needs scope admin, which a default-scoped token lacks: DOT answers that with 403."""

    required_scopes: ClassVar[list[str]] = [ADMIN_SCOPE]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
        return JsonResponse({"resource": "admin", "scopes_required": self.required_scopes})
