"""ROOT_URLCONF of the calibration server: DOT under /o/, the two protected resources under /api/."""

from __future__ import annotations

from django.urls import include, path  # type: ignore[import-untyped]

from .dot_paths import ADMIN_RESOURCE_PATH, DOT_PREFIX, RESOURCE_PATH
from .dot_resources import AdminResource, ReadResource

__all__ = ["urlpatterns"]

urlpatterns = [
    # DOT's full URL set as its tutorial mounts it: /o/token/, /o/introspect/, /o/revoke_token/,
    # /o/.well-known/openid-configuration, /o/.well-known/jwks.json, ...
    path(DOT_PREFIX.lstrip("/") + "/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path(RESOURCE_PATH.lstrip("/"), ReadResource.as_view()),
    path(ADMIN_RESOURCE_PATH.lstrip("/"), AdminResource.as_view()),
]
