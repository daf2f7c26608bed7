"""Binds the revocation features to pytest."""

from pytest_bdd import scenarios

scenarios("revocation")
