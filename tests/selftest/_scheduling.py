"""The self-tests' xdist scheduler: the tests of a file marked ``xdist_group`` stay on one worker, every
other test is handed out on its own.

xdist's ``--dist loadgroup`` does this by appending the group to each marked test's node ID on the
worker (``item._nodeid``), which pytest 9.2 no longer reads (a node's ID is its ``_id``): the groups never
reach the scheduler, and the tests of a file that share a module-scoped child run or server were spread
over both workers, each of which then ran that fixture again. This scheduler takes the groups from where
the self-tests declare them, a module-level ``pytestmark = pytest.mark.xdist_group(...)``, read from each
collected file's source on the controller (which collects nothing itself).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

__all__ = ["FileGroupScheduling"]

_MODULE_GROUP = re.compile(r"^pytestmark\s*=.*\bpytest\.mark\.xdist_group\(\s*['\"]([^'\"]+)['\"]", re.MULTILINE)


@cache
def _group_of(path: Path) -> str | None:
    try:
        found = _MODULE_GROUP.search(path.read_text(encoding="utf-8"))
    except OSError:
        return None
    return found.group(1) if found else None


class FileGroupScheduling(LoadScopeScheduling):  # type: ignore[misc]
    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self._root = Path(config.rootpath)

    def _split_scope(self, nodeid: str) -> str:
        group = _group_of(self._root / nodeid.split("::", 1)[0])
        return f"group:{group}" if group else nodeid
