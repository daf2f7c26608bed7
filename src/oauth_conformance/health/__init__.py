"""Watching one integration: ``oauth-conformance health``.

With the integration's own credentials and no admin login, it checks what a monitor needs to know:
Creatio's OAuth diagnostics where the instance offers them, a token from the Identity Service (or any
OAuth server), and one API call with it (``probes``). The result (``result``) is one line, a JSON object
or a Prometheus text-format file (``render``); its exit status is 0 healthy, 1 unhealthy, 2 unreachable
or misconfigured.

    result = watch(load_settings({"OAUTH_TARGET": "creatio"}, env_file=Path("watch.env")))
    print(one_line(result)); raise SystemExit(result.exit_status)
"""

from oauth_conformance.health.probes import watch
from oauth_conformance.health.render import as_json, one_line, prometheus_text, write_atomically
from oauth_conformance.health.result import (
    CHECKS,
    EXIT_STATUS,
    CheckName,
    CheckResult,
    CheckState,
    HealthResult,
    Status,
    integration_label,
)

__all__ = [
    "CHECKS",
    "EXIT_STATUS",
    "CheckName",
    "CheckResult",
    "CheckState",
    "HealthResult",
    "Status",
    "as_json",
    "integration_label",
    "one_line",
    "prometheus_text",
    "watch",
    "write_atomically",
]
