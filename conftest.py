"""Root conftest: the suite's plugin (settings, target, verdicts, reports) and the step library."""

pytest_plugins = [
    "oauth_conformance.plugin",
    "steps.context",
    "steps.diagnostics",
    "steps.integrations",
    "steps.token",
    "steps.api",
    "steps.standards_context",
    "steps.token_endpoint",
    "steps.bearer",
    "steps.jwt_checks",
    "steps.discovery",
    "steps.introspection",
    "steps.security",
    "steps.transport",
    "steps.revocation",
]
