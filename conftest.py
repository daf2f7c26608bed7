"""Root conftest: the suite's plugin. It registers the step library itself (oauth_conformance.suite), and
pyproject.toml switches it on for this checkout (``oauth_conformance = true``)."""

pytest_plugins = ["oauth_conformance.plugin"]
