"""The three forms of a health result: one line, a JSON object, and a Prometheus text-format file for the
node_exporter textfile collector (docs/monitoring/). Everything shown is redacted once more on the way
out, although no check puts a secret or a token in what it reports.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from oauth_conformance.health.result import CHECKS, STATUSES, HealthResult
from oauth_conformance.redaction import REDACTOR

__all__ = ["METRIC_PREFIX", "as_json", "one_line", "prometheus_text", "write_atomically"]

METRIC_PREFIX = "oauth_conformance_health"
# The textfile collector runs as its own user: the file holds no secret, so anyone may read it.
_FILE_MODE = 0o644


def one_line(result: HealthResult) -> str:
    """``healthy: diagnostics 12 ms, token 120 ms, api 35 ms``; a wrong setting: ``misconfigured: <it>``."""
    if result.problem is not None:
        return REDACTOR.text(f"{result.status}: {result.problem}")
    return REDACTOR.text(f"{result.status}: " + ", ".join(check.summary() for check in result.checks))


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_json(result: HealthResult) -> str:
    """One JSON object: ``status``, ``exit_status``, ``target``, ``integration``, ``checked_at``,
    ``message`` (the one line), ``problem`` and ``checks``: each by name with ``state``, ``detail``,
    ``duration_ms`` and ``http_status``."""
    checks: dict[str, dict[str, Any]] = {
        check.name: {
            "state": check.state,
            "detail": check.detail,
            "duration_ms": None if check.duration_s is None else round(check.duration_s * 1000, 1),
            "http_status": check.http_status,
        }
        for check in result.checks
    }
    document = {
        "status": result.status,
        "exit_status": result.exit_status,
        "target": result.target,
        "integration": result.integration,
        "checked_at": _iso(result.checked_at),
        "message": one_line(result),
        "problem": result.problem,
        "checks": checks,
    }
    return REDACTOR.text(json.dumps(document, ensure_ascii=False))


def _label_value(value: str) -> str:
    # The text format's escapes inside a label value: backslash, double quote, line feed.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _labels(pairs: dict[str, str]) -> str:
    return "{" + ",".join(f'{name}="{_label_value(REDACTOR.text(value))}"' for name, value in pairs.items()) + "}"


def prometheus_text(result: HealthResult) -> str:
    """The result as gauges in the Prometheus text format (version 0.0.4), without sample timestamps,
    which the textfile collector refuses: the run's time is a gauge of its own.

    Every series carries ``target`` and ``integration``; per check also ``check``. A check that was not
    available or not attempted has no ``check_up`` or duration, and ``check_available`` 0.
    """
    base = {"target": result.target or "", "integration": result.integration or ""}
    lines: list[str] = []

    def gauge(name: str, help_text: str, samples: list[tuple[dict[str, str], float]]) -> None:
        metric = f"{METRIC_PREFIX}_{name}"
        lines.extend([f"# HELP {metric} {help_text}", f"# TYPE {metric} gauge"])
        lines.extend(f"{metric}{_labels(base | labels)} {value:g}" for labels, value in samples)

    gauge("up", "1 when the integration is healthy (exit status 0), else 0.", [({}, float(result.exit_status == 0))])
    gauge("status", "1 for the outcome of the last check: healthy, unhealthy, unreachable or misconfigured.",
          [({"status": status}, float(result.status == status)) for status in STATUSES])
    available = {name: (check := result.check(name)) is not None and check.ran for name in CHECKS}
    gauge("check_available", "1 when the check could be made here, 0 when the target does not offer it "
          "or it was not attempted.", [({"check": name}, float(ran)) for name, ran in available.items()])
    ran = [check for check in result.checks if check.ran]
    gauge("check_up", "1 when the check held, 0 when it failed or its server could not be reached.",
          [({"check": check.name}, float(check.state == "ok")) for check in ran])
    gauge("check_duration_seconds", "How long the check took, its exchanges included.",
          [({"check": check.name}, round(check.duration_s or 0.0, 6)) for check in ran])
    lines.extend([
        f"# HELP {METRIC_PREFIX}_last_run_timestamp_seconds When the last check started (Unix time).",
        f"# TYPE {METRIC_PREFIX}_last_run_timestamp_seconds gauge",
        f"{METRIC_PREFIX}_last_run_timestamp_seconds{_labels(base)} {result.checked_at:.3f}",
    ])
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new one, never half of either:
    a temporary file in the same folder (named so that the collector, which reads ``*.prom``, skips it),
    flushed to disk, then renamed over ``path``."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, _FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
