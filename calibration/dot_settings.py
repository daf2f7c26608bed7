"""Django and django-oauth-toolkit (DOT) settings for the calibration server, configured in code.

Everything not set here is left at Django's and DOT's defaults: the point is to measure DOT as shipped.
Where a setting differs only in cost (the database's durability, the client secrets' hashing work factor),
it says so.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import django  # type: ignore[import-untyped]
from django.conf import settings  # type: ignore[import-untyped]

__all__ = ["ADMIN_SCOPE", "READ_SCOPE", "configure_django", "django_settings", "dot_settings"]

# The resource views and the suite's env block refer to these names.
READ_SCOPE = "read"
ADMIN_SCOPE = "admin"

# Loopback only: the server binds 127.0.0.1, and Django's Host check should refuse anything else.
_LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"]


def dot_settings(rsa_private_key_pem: str) -> dict[str, Any]:
    """The OAUTH2_PROVIDER dict: only what the calibration needs differs from DOT's defaults."""
    return {
        # OIDC on, so DOT publishes /o/.well-known/openid-configuration and a JWKS: the suite's oauth
        # target reads the token endpoint from that discovery document.
        "OIDC_ENABLED": True,
        # RS256 needs a private key; without one DOT would only offer HS256 and an empty JWKS.
        "OIDC_RSA_PRIVATE_KEY": rsa_private_key_pem,
        # Two scopes, so one resource can be readable by a default token (read) and one not (admin).
        # DOT's default is read + write.
        "SCOPES": {READ_SCOPE: "Read the calibration resource", ADMIN_SCOPE: "Read the admin-only resource"},
        # DOT's default ["__all__"] would grant every scope, admin included, to a request without a
        # scope parameter; the suite's "denied resource" needs a default token that lacks admin.
        "DEFAULT_SCOPES": [READ_SCOPE],
    }


def django_settings(database: Path, rsa_private_key_pem: str) -> dict[str, Any]:
    """Keyword arguments for ``settings.configure``: a minimal project with DOT and nothing else."""
    return {
        # Per-start random key: nothing signed by one run (sessions, CSRF) has to survive into the next.
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": False,  # production error pages and behaviour, as a deployed DOT would have
        "ALLOWED_HOSTS": _LOOPBACK_HOSTS,
        "INSTALLED_APPS": [
            # What DOT's models need (Application.user is a ForeignKey to auth.User) ...
            "django.contrib.contenttypes",
            "django.contrib.auth",
            # ... plus sessions, which the authorization endpoint's login check relies on.
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        # Django's startproject middleware minus messages (no messages app): the stack a typical
        # DOT deployment runs behind, so e.g. APPEND_SLASH and the security headers behave as usual.
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "calibration.dot_urls",
        # DOT's authorization and management views render its bundled templates.
        "TEMPLATES": [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
        "DATABASES": {
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(database),
                # A throwaway database: trading crash safety for a faster start (migrate commits ~46 times,
                # each an fsync otherwise). Storage only; no OAuth behaviour depends on it.
                "OPTIONS": {"init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"},
            }
        },
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "USE_TZ": True,
        # The client secrets' hash at a work factor a throwaway server can afford (dot_hashers.py).
        "PASSWORD_HASHERS": ["calibration.dot_hashers.CalibrationPBKDF2Hasher"],
        "OAUTH2_PROVIDER": dot_settings(rsa_private_key_pem),
    }


def configure_django(database: Path, rsa_private_key_pem: str) -> None:
    """Configure and set up Django for this process.

    Django settings are process-global and DOT caches its own on first use, so a process can host
    one calibration server over its lifetime; a second configuration is refused rather than half-applied.
    """
    if settings.configured:
        raise RuntimeError("Django is already configured in this process; run one DOT calibration server per process")
    settings.configure(**django_settings(database, rsa_private_key_pem))
    django.setup()
