"""Self-test fixtures shared by the mock's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.selftest.mock_client import HTTP
from tools.forkrun import shutdown_servers


@pytest.fixture(scope="session", autouse=True)
def _close_shared_http() -> Iterator[None]:
    yield
    HTTP.close()


@pytest.fixture(scope="session", autouse=True)
def _stop_fork_servers() -> Iterator[None]:
    """The preloaded servers the child runs were forked from (tools/forkrun.py) end with the session."""
    yield
    shutdown_servers()
