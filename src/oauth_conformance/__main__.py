"""``python -m oauth_conformance``: see ``oauth_conformance.cli``."""

from oauth_conformance.cli import main

__all__: list[str] = []

raise SystemExit(main())
