"""Binds the JWT access token features to pytest."""

from pytest_bdd import scenarios

scenarios("jwt")
