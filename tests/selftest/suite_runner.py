"""The child-pytest runner, shared with the kill matrix and the calibration (tools.childrun)."""

from tools.childrun import ROOT, SuiteRun, clean_environ, run_suite

__all__ = ["ROOT", "SuiteRun", "clean_environ", "run_suite"]
