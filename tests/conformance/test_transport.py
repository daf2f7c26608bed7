"""Binds the transport (TLS) features to pytest."""

from pytest_bdd import scenarios

scenarios("transport")
