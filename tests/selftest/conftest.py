"""Self-test fixtures shared by the mock's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.selftest.mock_client import HTTP


@pytest.fixture(scope="session", autouse=True)
def _close_shared_http() -> Iterator[None]:
    yield
    HTTP.close()
