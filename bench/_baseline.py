"""A baseline to measure against in the same run: another commit of this project, checked out and
installed beside the working tree, so that a benchmark prints its figure and the baseline's side by side.

``with baseline("HEAD~1") as base:`` gives the baseline's checkout (``base.root``, run commands there) and
the environment that imports the baseline's package (``base.env``). The package is installed, not
editable, into a private folder put first on PYTHONPATH: the project's own editable install maps
``oauth_conformance.suite.*`` onto this checkout's folders, which a baseline must not see. A dependency
this tree declares and the baseline does not (say, a faster parser a library takes when it is there) is
hidden from the baseline, so that it runs as it did when it was the tree.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# A bench script runs as ``python bench/<name>.py``: the checkout's tooling (``tools``) is importable too.
if str(ROOT) not in sys.path:
    sys.path.insert(1, str(ROOT))
__all__ = ["ROOT", "Baseline", "baseline", "current"]


@dataclass(frozen=True)
class Baseline:
    label: str
    root: Path
    env: dict[str, str]


def current() -> Baseline:
    """This working tree, as a benchmark's other column."""
    return Baseline("this tree", ROOT, dict(os.environ))


@contextmanager
def baseline(rev: str) -> Iterator[Baseline]:
    """Commit ``rev`` checked out and installed in a temporary folder, removed afterwards."""
    commit = subprocess.run(["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True,
                            check=True).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as scratch:
        tree, package = Path(scratch) / "tree", Path(scratch) / "site"
        subprocess.run(["git", "worktree", "add", "--quiet", "--detach", str(tree), commit], cwd=ROOT, check=True)
        try:
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                            str(package), str(tree)], check=True, capture_output=True)
            hidden = Path(scratch) / "hidden"
            for name in _dependencies(ROOT) - _dependencies(tree):
                # A package that cannot be imported, first on the path: the baseline never had it.
                (hidden / name).mkdir(parents=True)
                (hidden / name / "__init__.py").write_text(f"raise ImportError({name!r})\n", encoding="utf-8")
            path = (str(hidden), str(package), os.environ.get("PYTHONPATH"))
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, path)))
            yield Baseline(f"baseline {commit}", tree, env)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tree)], cwd=ROOT, check=False,
                           capture_output=True)


def _dependencies(root: Path) -> set[str]:
    """The import names of the packages a tree's pyproject.toml declares (as distribution names: the
    ones that differ between commits here import under the same name)."""
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0].lower().replace("-", "_")
            for spec in project.get("dependencies", [])}
