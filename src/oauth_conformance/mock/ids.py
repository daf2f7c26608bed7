"""Identifiers in the formats Creatio and its Identity Service use."""

from __future__ import annotations

import secrets
import uuid

__all__ = ["canonical_guid", "new_client_id", "new_client_secret", "new_guid", "new_resource_name", "upper_hex"]


def upper_hex(n_bytes: int) -> str:
    """Random bytes as upper-case hex, as .NET ``BitConverter.ToString`` without the dashes gives."""
    return secrets.token_hex(n_bytes).upper()


def new_client_id() -> str:
    """16 random bytes → 32 upper-case hex characters (creatio-oauth.md §1.3)."""
    return upper_hex(16)


def new_client_secret() -> str:
    """32 random bytes → 64 upper-case hex characters (creatio-oauth.md §1.3)."""
    return upper_hex(32)


def new_guid() -> str:
    """A GUID as OData 4 writes it: lower case with dashes."""
    return str(uuid.uuid4())


def new_resource_name() -> str:
    """``ApplicationAccess_<guid:N>``, the default resource name (creatio-oauth.md §1.4)."""
    return f"ApplicationAccess_{uuid.uuid4().hex}"


def canonical_guid(value: str) -> str | None:
    """The OData form of a GUID (lower case, dashes), or None when ``value`` is not a GUID."""
    try:
        return str(uuid.UUID(value.strip().strip("{}")))
    except (ValueError, AttributeError):
        return None
