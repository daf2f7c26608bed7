"""Report writers only: conformance.json, the evidence log, the terminal summary, and the scrub of every
report file. What the verdicts are is decided in ``oauth_conformance.verdicts``."""

__all__: list[str] = []
