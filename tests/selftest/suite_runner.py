"""The child-pytest runner, shared with the kill matrix and the calibration (tools.childrun): each run
forked from a preloaded server by default, or ``process="interpreter"`` for a new ``python -m pytest``."""

from tools.childrun import ROOT, ChildProcess, SuiteRun, clean_environ, run_suite

__all__ = ["ROOT", "ChildProcess", "SuiteRun", "clean_environ", "run_suite"]
