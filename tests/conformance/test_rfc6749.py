"""Binds the RFC 6749 token endpoint features to pytest."""

from pytest_bdd import scenarios

scenarios("rfc6749")
