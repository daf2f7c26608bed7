"""The Gherkin features (data, not code): a package only so that an install carries them as
oauth_conformance.suite.features (see oauth_conformance.suite)."""

__all__: list[str] = []
