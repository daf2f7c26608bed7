"""Subplugin: every log record the run writes anywhere is redacted first.

httpx2 logs each request's URL at INFO (a query string can carry a secret), httpcore2 each response's
headers at DEBUG (cookies, tokens), and the in-process mock what it serves. pytest shows them live
(``--log-cli-level``), in the captured-log sections of failure reports and JUnit, and in ``--log-file``.
Its handlers attach to the root logger only while a phase runs, so the filter is put on each of them
once pytest's logging plugin has made them (at session start), and on whatever the root logger already
has (a host application's handlers, when the suite runs inside one) and on ``logging.lastResort``.
"""

from __future__ import annotations

import logging

import pytest

from oauth_conformance.redaction import RedactingFilter

__all__ = ["FILTER", "install"]

# One filter for the process: installing it twice on a handler is recognised and skipped.
FILTER = RedactingFilter()

# The handlers pytest's LoggingPlugin keeps (_pytest/logging.py): live log, log file, the capture of
# each phase for its report, and the caplog fixture's.
_PYTEST_HANDLERS = ("log_cli_handler", "log_file_handler", "report_handler", "caplog_handler")


def _filter(handler: logging.Handler) -> None:
    if FILTER not in handler.filters:
        handler.addFilter(FILTER)


def install(config: pytest.Config) -> None:
    """Put the redacting filter on the root logger's handlers, the last-resort handler, and pytest's
    logging handlers (absent with ``-p no:logging``). Idempotent: called at configure and at session
    start, when pytest's logging plugin exists."""
    for handler in logging.getLogger().handlers:
        _filter(handler)
    if logging.lastResort is not None:
        _filter(logging.lastResort)
    plugin = config.pluginmanager.get_plugin("logging-plugin")
    for name in _PYTEST_HANDLERS:
        made = getattr(plugin, name, None)
        if isinstance(made, logging.Handler):
            _filter(made)
