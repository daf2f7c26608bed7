"""The subcommands of ``oauth-conformance`` (``python -m oauth_conformance``), one module each: its name,
its one-line help, its arguments and what it does. ``oauth_conformance.cli`` puts them together."""

__all__: list[str] = []
