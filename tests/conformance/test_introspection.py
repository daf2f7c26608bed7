"""Binds the introspection features to pytest."""

from pytest_bdd import scenarios

scenarios("introspection")
