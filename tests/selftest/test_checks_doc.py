"""docs/checks.md is generated from the catalogue, the registry, the features and the defects: it must
regenerate byte-identical, so it never drifts from what the suite checks."""

from __future__ import annotations

from tools.checks_doc import DOC, render


def test_checks_doc_is_up_to_date() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "docs/checks.md is out of date: run `make docs`"
