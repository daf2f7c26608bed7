"""The child-pytest runner, shared with the kill matrix (oauth_conformance.childrun)."""

from oauth_conformance.childrun import ROOT, SuiteRun, clean_environ, run_suite

__all__ = ["ROOT", "SuiteRun", "clean_environ", "run_suite"]
