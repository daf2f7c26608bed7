"""A switch the mock declares but never looks at would run as a clean mock and let its defect 'survive'
for the wrong reason: every declared defect and benign variant is consulted somewhere in the mock."""

from __future__ import annotations

from pathlib import Path

import pytest

from oauth_conformance.mock import BENIGN, DEFECTS

MOCK = Path(__file__).resolve().parents[2] / "src" / "oauth_conformance" / "mock"


def _implementation_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(MOCK.glob("*.py")) if p.name != "defects.py")


@pytest.mark.parametrize("name", sorted(DEFECTS | BENIGN))
def test_every_switch_is_consulted_by_the_mock(name: str) -> None:
    assert f'"{name}"' in _implementation_text(), f"{name} is declared in defects.py but no mock module checks it"
