"""Binds the discovery and key set features to pytest."""

from pytest_bdd import scenarios

scenarios("discovery")
