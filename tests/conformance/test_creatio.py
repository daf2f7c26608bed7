"""Binds the Creatio features (the documented procedure and outcomes) to pytest."""

from pytest_bdd import scenarios

scenarios("creatio")
