"""Each Creatio generation the mock reproduces, as a real instance would be run: the standalone mock
driven through the ``creatio`` target. Every run exits 0 with no ERROR and a reason for every SKIP,
leaves nothing behind, creates technical users only when told to, and a run killed halfway leaves only
what the next run lists with what to remove."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import get_args

import pytest

from oauth_conformance.http import EvidenceLog, HttpClient, TransportPolicy
from oauth_conformance.mock import MockOptions, MockServers, start_mock
from oauth_conformance.mock.options import CreatioVersion, Hosting, PathStyle
from oauth_conformance.targets.creatio import CreatioAdapter, CreatioConnection
from tests.selftest.suite_runner import ROOT, SuiteRun, clean_environ, run_suite
from tools.childrun import env_file_text

VERSIONS: tuple[CreatioVersion, ...] = get_args(CreatioVersion)
PREFIX = "occ-gen-"
FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance")
USER_CREATION = ("UpdateOrCreateTechnicalUser", "CreateTechnicalUser")


def _env(servers: MockServers, *, opt_in: bool, prefix: str = PREFIX) -> dict[str, str]:
    return servers.env() | {"OAUTH_RUN_PREFIX": prefix, "CREATIO_CREATE_TECH_USERS": str(opt_in).lower()}


def _created(servers: MockServers, prefix: str) -> list[str]:
    """What the mock holds under ``prefix``, each named with its kind as the leftover report names it."""
    snapshot = servers.snapshot()
    kinds = {"integrations": "integration", "users": "user"}
    return [f"{kind} {name!r}" for key, kind in kinds.items() for name in snapshot[key] if name.startswith(prefix)]


def _settled(servers: MockServers, prefix: str) -> list[str]:
    """What is left once the mock has finished the requests the killed run had already sent (a DELETE of
    its teardown may still be in flight when the kill lands): the same names on reads 0.3 s apart."""
    seen = _created(servers, prefix)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = _created(servers, prefix)
        if now == seen:
            return now
        seen = now
    raise AssertionError("the mock kept changing after the run was killed")


def _requests_to(run: SuiteRun, methods: tuple[str, ...]) -> list[str]:
    lines = (run.reports / "evidence.jsonl").read_text(encoding="utf-8").splitlines()
    urls = [str(json.loads(line).get("url", "")) for line in lines if line.strip()]
    return [url for url in urls if url.rsplit("/", 1)[-1] in methods]


def _assert_clean(run: SuiteRun) -> None:
    assert run.returncode == 0, run.stdout[-3000:]
    verdicts = run.verdicts()
    assert [rid for rid, v in verdicts.items() if v == "ERROR"] == []
    for requirement in run.conformance["requirements"]:
        for finding in requirement["findings"]:
            if finding["verdict"] == "SKIP":
                assert finding["message"].strip(), f"{requirement['id']}: a SKIP without its reason"


COMBINATIONS = [
    *((version, style, "onsite") for version in VERSIONS for style in get_args(PathStyle)),
    ("8.3", "netframework", "cloud"),
]


@pytest.mark.parametrize(("version", "style", "hosting"), COMBINATIONS)
def test_each_generation_runs_clean_and_leaves_nothing(
    tmp_path: Path, version: CreatioVersion, style: PathStyle, hosting: Hosting
) -> None:
    with start_mock(MockOptions(creatio_version=version, path_style=style, hosting=hosting)) as servers:
        before = servers.snapshot()
        run = run_suite(tmp_path, *FAST, env_file=_env(servers, opt_in=True))
        _assert_clean(run)
        assert servers.snapshot() == before
        assert run.conformance["run"]["leftovers"] == []


def test_without_the_opt_in_no_technical_user_is_created(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        before = servers.snapshot()
        run = run_suite(tmp_path, *FAST, env_file=_env(servers, opt_in=False))
        _assert_clean(run)
        assert _requests_to(run, USER_CREATION) == []
        assert servers.snapshot() == before
        assert run.verdicts()["CRE-techuser-created"] == "SKIP"


def test_with_the_opt_in_users_are_created_and_removed(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        run = run_suite(tmp_path, *FAST, "-k", "technical_user_named_after", env_file=_env(servers, opt_in=True))
        _assert_clean(run)
        assert _requests_to(run, USER_CREATION)
        assert run.verdicts()["CRE-techuser-created"] == "PASS"
        assert run.verdicts()["CRE-cleanup"] == "PASS"


def _kill_when_created(servers: MockServers, reports: Path, prefix: str) -> None:
    """A run of the creatio scenarios, SIGKILLed as soon as the mock holds something it named."""
    reports.mkdir()
    env_path = reports / "killed.env"
    env_path.write_text(env_file_text(_env(servers, opt_in=True, prefix=prefix)), encoding="utf-8")
    child = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *FAST, f"--env-file={env_path}",
         f"--reports-dir={reports}", "-k", "creatio"],
        cwd=ROOT, env=clean_environ(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not _created(servers, prefix) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait(timeout=30)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_run_killed_halfway_leaves_only_what_the_next_run_lists(tmp_path: Path, version: CreatioVersion) -> None:
    """SIGKILL while the run's integrations exist (no teardown can run): the next run names each one."""
    with start_mock(MockOptions(creatio_version=version)) as servers:
        # A kill that lands after the scenario's own teardown finds nothing left: that attempt caught the
        # run too late, not the suite out, so another attempt (new prefix) is made.
        left: list[str] = []
        for attempt in range(3):
            killed_prefix = f"{PREFIX}{version.replace('.', '')}killed{attempt}-"
            _kill_when_created(servers, tmp_path / f"killed{attempt}", killed_prefix)
            left = _settled(servers, killed_prefix)
            if left:
                break
        assert left, "no run was caught halfway in three attempts"
        # The next run (any prefix of the family) lists what the killed one left, with what to do.
        (tmp_path / "next").mkdir()
        run = run_suite(tmp_path / "next", *FAST, "-k", "is_added_to_the_list",
                        env_file=_env(servers, opt_in=True, prefix=f"{PREFIX}next-"))
        _assert_clean(run)
        assert sorted(run.conformance["run"]["stale_leftovers"]) == sorted(left)
        assert "delete them on the OAuth integrated applications and Users pages" in run.stdout


@pytest.mark.parametrize("style", ["netframework", "netcore"])
@pytest.mark.parametrize("login", [True, False], ids=["admin", "anonymous"])
def test_path_style_is_told_without_the_health_endpoint(style: PathStyle, login: bool) -> None:
    """8.0 has no OAuthHealthCheck on either runtime: the ping and the login page tell them apart."""
    with start_mock(MockOptions(creatio_version="8.0", path_style=style)) as servers:
        connection = CreatioConnection(
            site_url=servers.creatio_url, identity_url=None, path_style="auto", hosting="onsite",
            admin_user=servers.admin_user if login else None,
            admin_password=servers.admin_password if login else None,
            tech_user=None, allowed_entity=None, denied_entity=None,
        )
        http = HttpClient(TransportPolicy(timeout=5), EvidenceLog())
        try:
            assert CreatioAdapter(http, connection).path_style == style
        finally:
            http.close()


def test_no_more_technical_users_than_the_run_may_create(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        env = _env(servers, opt_in=True) | {"CREATIO_MAX_TECH_USERS": "2"}
        run = run_suite(tmp_path, *FAST, env_file=env)
        _assert_clean(run)
        assert len(_requests_to(run, USER_CREATION)) == 2
        skips = [f["message"] for r in run.conformance["requirements"] for f in r["findings"] if f["verdict"] == "SKIP"]
        assert any("already created CREATIO_MAX_TECH_USERS=2" in message for message in skips)
