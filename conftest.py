"""Root conftest: the suite's plugin (settings, target, verdicts, reports) and the step library."""

pytest_plugins = [
    "oauth_conformance.plugin",
    "steps.state",
    "steps.creatio.context",
    "steps.creatio.diagnostics",
    "steps.creatio.integrations",
    "steps.creatio.token",
    "steps.creatio.api",
    "steps.standards.context",
    "steps.standards.token_endpoint",
    "steps.standards.bearer",
    "steps.standards.jwt",
    "steps.standards.discovery",
    "steps.standards.introspection",
    "steps.standards.security",
    "steps.standards.transport",
    "steps.standards.revocation",
    "steps.standards.claims",
    # Last: the controls reuse the introspection and context steps' helpers.
    "steps.standards.controls",
]
