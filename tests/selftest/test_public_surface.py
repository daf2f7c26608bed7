"""``__all__`` is each module's real public surface: every module of the package declares one, and
every import of a name from the package, anywhere in the project, takes a name that module exports."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import oauth_conformance

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("src", "steps", "tests", "calibration", "tools", "bench", "conftest.py")


def _modules() -> list[str]:
    found = ["oauth_conformance"]
    for info in pkgutil.walk_packages(oauth_conformance.__path__, "oauth_conformance."):
        if not info.name.endswith("__main__"):
            found.append(info.name)
    return found


def test_every_module_declares_its_public_surface() -> None:
    missing = [name for name in _modules() if not hasattr(importlib.import_module(name), "__all__")]
    assert not missing, "modules without __all__"


def _package_of(file: Path) -> str | None:
    """The package a module of ``src/`` belongs to, for resolving its relative imports."""
    if not file.is_relative_to(ROOT / "src"):
        return None
    parts = list(file.relative_to(ROOT / "src").with_suffix("").parts)
    return ".".join(parts[:-1])


def _imported_module(node: ast.ImportFrom, package: str | None) -> str | None:
    if node.level == 0:
        return node.module
    if package is None:
        return None
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports() -> list[tuple[str, str, str]]:
    """(where, module, name) of every ``from oauth_conformance... import name`` in the project, relative
    imports inside the package included."""
    found = []
    for source in SOURCES:
        path = ROOT / source
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom):
                    continue
                module = _imported_module(node, _package_of(file))
                if module and (module == "oauth_conformance" or module.startswith("oauth_conformance.")):
                    where = f"{file.relative_to(ROOT)}:{node.lineno}"
                    found += [(where, module, alias.name) for alias in node.names]
    return found


def test_imports_take_only_exported_names() -> None:
    outside = []
    for where, module_name, name in _imports():
        if module_name.endswith(".__main__"):
            continue  # a program's entry point, not a library surface
        module = importlib.import_module(module_name)
        exported = getattr(module, "__all__", ())
        is_submodule = importlib.util.find_spec(f"{module_name}.{name}") is not None if hasattr(
            module, "__path__") else False
        if name not in exported and not is_submodule:
            outside.append(f"{where}: {module_name}.{name}")
    assert not outside, "imports of names a module does not export:\n" + "\n".join(outside)
