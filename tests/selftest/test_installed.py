"""The suite as a partner installs it: a wheel built from the checkout, installed into a fresh virtual
environment outside it, runs from an empty folder with `oauth-conformance run` against the bundled mock;
and in that environment a plain `pytest` of an unrelated project runs as before (the plugin stays out
of its way: no reports, no settings read, one Allure plugin)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.selftest.suite_runner import ROOT, clean_environ

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_installed")

_INSTALL_TIMEOUT = 300
# The run searches, as a user's run against the bundled mock does (and so writes what Hypothesis keeps),
# with the smallest budget: what it finds is another test's; here it is where its files land. Set in the
# environment, not in a .env, so that the folder it runs from stays empty.
_SMALLEST_SEARCH = {"OAUTH_SEARCH_SEQUENCES": "1", "OAUTH_SEARCH_STEPS": "2", "OAUTH_SEARCH_EXAMPLES": "2"}


def _run(command: list[str], cwd: Path, timeout: float = 300,
         settings: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = clean_environ() | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"} | (settings or {})
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


def _requirements(lines: list[str], extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """The requirements among ``lines`` that apply here, with ``extras`` of their distribution asked for."""
    kept = []
    for line in lines:
        requirement = Requirement(line)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras | {""}):
            kept.append(requirement)
    return kept


def _closure(requirements: list[Requirement]) -> list[metadata.Distribution]:
    """The distributions the requirements need, theirs in turn, and so on: as this environment has them."""
    found: dict[str, metadata.Distribution] = {}
    pending = list(requirements)
    while pending:
        requirement = pending.pop()
        name = canonicalize_name(requirement.name)
        if name in found:
            continue
        found[name] = dist = metadata.distribution(requirement.name)
        pending += _requirements(dist.requires or [], frozenset(requirement.extras))
    return list(found.values())


def _seed(site_packages: Path, wheel: Path) -> None:
    """Links into ``site_packages`` what the wheel's own Requires-Dist pulls in, from this environment.

    A new environment resolving and installing them from pip's cache costs half a minute; linked, a
    fraction of a second, and the environment still holds what the wheel declares and nothing else: a
    dependency missing from its metadata (say, one the dev extra installs here) is missing there too.
    """
    with zipfile.ZipFile(wheel) as archive:
        (name,) = (n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        declared = archive.read(name).decode("utf-8")
    requires = [line.split(":", 1)[1].strip() for line in declared.splitlines() if line.startswith("Requires-Dist:")]
    for dist in _closure(_requirements(requires)):
        # A distribution's files, relative to its site-packages: the top-level entries are its packages,
        # modules and dist-info (scripts in ../bin and compiled caches are not needed).
        tops = {f.parts[0] for f in dist.files or []} - {"..", "__pycache__"}
        origin = Path(str(dist.locate_file("")))
        for top in tops:
            target = site_packages / top
            if not target.exists():
                target.symlink_to(origin / top)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a fresh environment with the wheel installed."""
    tmp = tmp_path_factory.mktemp("installed")
    # Built from a copy of the checkout: setuptools builds in the source tree's build/ folder, where a
    # stale build/lib would add files the checkout no longer has, and whose removal at the build's end
    # failed once beside make test's other jobs ("Directory not empty").
    source = tmp / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "reports", "__pycache__", "*.egg-info", ".hypothesis"))
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(source)], tmp)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = (tmp / "dist").glob("oauth_conformance-*.whl")
    venv.create(tmp / "venv", with_pip=False)
    bin_dir = tmp / "venv" / "bin"
    (site_packages,) = (tmp / "venv" / "lib").glob("python*/site-packages")
    _seed(site_packages, wheel)
    # This environment's pip installs the wheel itself there: its files, entry points and console script.
    pip = [sys.executable, "-m", "pip", "--python", str(bin_dir / "python")]
    done = _run([*pip, "install", "-q", "--no-deps", "--no-index", str(wheel)], tmp, timeout=_INSTALL_TIMEOUT)
    assert done.returncode == 0, done.stderr[-3000:]
    # What pip would have resolved: every requirement of every distribution there is met.
    checked = _run([*pip, "check"], tmp)
    assert checked.returncode == 0, checked.stdout[-3000:] + checked.stderr[-3000:]
    return bin_dir


def test_the_installed_suite_runs_from_an_empty_folder(installed: Path, tmp_path: Path) -> None:
    work = tmp_path / "empty"
    work.mkdir()
    ran = _run([str(installed / "oauth-conformance"), "run", "-p", "no:hypothesispytest", "--reports-dir=out"], work,
               settings=_SMALLEST_SEARCH)
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
