"""Root conftest: the suite's plugin (settings, target, verdicts, reports) and the step library."""

pytest_plugins = [
    "oauth_conformance.plugin",
    "steps.context",
    "steps.diagnostics",
    "steps.integrations",
    "steps.token",
    "steps.api",
]
