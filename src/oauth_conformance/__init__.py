"""Conformance and integration suite for OAuth 2.0 client-credentials setups."""

__all__: list[str] = []
