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


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup``: the groups the self-tests declare, each on one worker (tests/selftest/_scheduling.py)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from tests.selftest._scheduling import FileGroupScheduling

    return FileGroupScheduling(config, log)
