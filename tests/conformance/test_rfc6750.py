"""Binds the RFC 6750 bearer usage features to pytest."""

from pytest_bdd import scenarios

scenarios("rfc6750")
