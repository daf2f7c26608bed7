"""Binds the security features to pytest."""

from pytest_bdd import scenarios

scenarios("security")
