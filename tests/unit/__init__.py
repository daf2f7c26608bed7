"""Unit tests of the registered checks: canned observations, each check shown holding and violated."""
