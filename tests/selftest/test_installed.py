"""The suite as a partner installs it: a wheel built from the checkout, installed into a fresh virtual
environment outside it, runs from an empty folder with `oauth-conformance run` against the bundled mock;
and in that environment a plain `pytest` of an unrelated project runs as before (the plugin stays out
of its way: no reports, no settings read, one Allure plugin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

from tests.selftest.suite_runner import ROOT, clean_environ

# Installing the dependencies into a new environment takes a while even from pip's cache.
_INSTALL_TIMEOUT = 900


def _run(command: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = clean_environ() | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_the_wheel_lists_every_package() -> None:
    """pyproject.toml lists the packages (the suite's folders are mapped in from outside src/): every
    package under src/ and every mapped folder's packages, no more."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    mapped = {name: ROOT / folder for name, folder in config["package-dir"].items() if name}
    found = {".".join(p.parent.relative_to(ROOT / "src").parts) for p in (ROOT / "src").rglob("__init__.py")}
    for name, folder in mapped.items():
        found |= {".".join((name, *p.parent.relative_to(folder).parts)) for p in folder.rglob("__init__.py")
                  if "__pycache__" not in p.parts}
    assert sorted(config["packages"]) == sorted(found)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh environment with the wheel installed."""
    tmp = tmp_path_factory.mktemp("installed")
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(ROOT)], tmp)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("oauth_conformance-*.whl")
    venv.create(tmp / "venv", with_pip=True)
    bin_dir = tmp / "venv" / "bin"
    done = _run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp, timeout=_INSTALL_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    return bin_dir


def test_the_installed_suite_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "empty"
    work.mkdir()
    ran = _run([str(installed / "oauth-conformance"), "run", "-p", "no:hypothesispytest", "--reports-dir=out"], work)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    document = json.loads((work / "out" / "conformance.json").read_text(encoding="utf-8"))
    verdicts = {r["verdict"] for r in document["requirements"]}
    assert "PASS" in verdicts and "ERROR" not in verdicts and "FAIL" not in verdicts
    assert document["summary"]["PASS"] > 50
    for name in ("junit.xml", "evidence.jsonl", "conformance.md", "conformance.html", "allure-results"):
        assert (work / "out" / name).exists(), name
    # The installed suite's own waivers apply, wherever it is installed.
    assert {w["status"] for w in document["run"]["waivers"]} == {"applied"}
    assert all(Path(w["source"]).is_file() for w in document["run"]["waivers"])
    # Nothing but the reports lands in the folder it ran from.
    assert sorted(p.name for p in work.iterdir()) == ["out"]
    # python -m oauth_conformance is the same command line.
    cited = next(r["evidence"][0] for r in document["requirements"] if r["evidence"])
    shown = _run([str(installed / "python"), "-m", "oauth_conformance", "evidence", cited, "--reports-dir=out"], work)
    assert shown.returncode == 0 and shown.stdout.startswith(f"# {cited}"), shown.stderr


def test_a_host_projects_own_tests_run_as_before(installed: Path, tmp_path: Path) -> None:
    host = tmp_path / "host"
    host.mkdir()
    (host / "pyproject.toml").write_text('[tool.pytest.ini_options]\naddopts = "--strict-markers"\n', encoding="utf-8")
    (host / "test_own.py").write_text("def test_own() -> None:\n    assert 1 + 1 == 2\n", encoding="utf-8")
    # Options of the host's own named as the suite's: the suite adds its options only where it runs.
    (host / "conftest.py").write_text(
        'def pytest_addoption(parser):\n    parser.addoption("--env-file")\n    parser.addoption("--target")\n',
        encoding="utf-8",
    )
    # A setting the suite would refuse (exit 4) must not matter to a host project's run.
    (host / ".env").write_text("OAUTH_TARGET=nowhere\n", encoding="utf-8")
    ran = _run([str(installed / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider"], host)
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert "1 passed" in ran.stdout
    assert "conformance" not in ran.stdout
    # No reports: the plugin wrote nothing (pytest's own __pycache__ aside).
    left = sorted(p.name for p in host.iterdir() if p.name != "__pycache__")
    assert left == [".env", "conftest.py", "pyproject.toml", "test_own.py"]
    # One Allure plugin: --alluredir is registered once (two plugins registering it stop pytest at start).
    helped = _run([str(installed / "python"), "-m", "pytest", "--help"], host)
    assert helped.returncode == 0, helped.stderr[-2000:]
    assert helped.stdout.count("--alluredir") == 1
