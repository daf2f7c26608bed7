"""Project tooling that runs from a checkout, beside the features, steps and root conftest: never shipped
in the wheel. ``childrun`` runs the suite in a child pytest; ``killmatrix`` runs it against every seeded
defect (``make kill-matrix``); ``checks_doc`` writes docs/checks.md."""

__all__: list[str] = []
