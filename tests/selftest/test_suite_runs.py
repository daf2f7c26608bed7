"""The suite end to end, as a child pytest: against a standalone mock, a broken target, bad settings."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oauth_conformance.catalogue import load_catalogue
from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.suite_runner import ROOT, SuiteRun, run_suite

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_suite_runs")

CANARY = "Canary-Secret-7f3a9c1e5b2d"
PREFIX = "occ-selftest-"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
CREATIO_SECRET = re.compile(r"(?<![0-9A-Fa-f])[0-9A-Fa-f]{64}(?![0-9A-Fa-f])")
BASIC_CREDENTIALS = re.compile(r"Basic [A-Za-z0-9+/=]{24,}")
# A session cookie or CSRF value in clear: masked ones read "ABCD…#hash".
SESSION_VALUE = re.compile(r"(?:\.ASPXAUTH|BPMCSRF|BPMLOADER)[\"']?\s*[=:]\s*[\"']?([^;\s\"',]{8,})")


def _clear_session_values(text: str) -> bool:
    return any("…#" not in value for value in SESSION_VALUE.findall(text))


def _env_for(servers: MockServers) -> dict[str, str]:
    seed = servers.seed
    return {
        "OAUTH_TARGET": "creatio",
        "CREATIO_URL": servers.creatio_url,
        "CREATIO_IDENTITY_URL": servers.identity_url,
        "CREATIO_ADMIN_USER": servers.admin_user,
        "CREATIO_ADMIN_PASSWORD": servers.admin_password,
        "CREATIO_TECH_USER": seed.technical_user_name,
        "CREATIO_ALLOWED_ENTITY": seed.allowed_entity,
        "CREATIO_DENIED_ENTITY": seed.denied_entity,
        "OAUTH_RUN_PREFIX": PREFIX,
        # The mock is the test's own: its scenarios may create technical users.
        "CREATIO_CREATE_TECH_USERS": "true",
    }


def _creatio_black_box(run: SuiteRun) -> list[dict[str, Any]]:
    """The Creatio requirements a run can decide (a UI promise such as CRE-name-required is not one)."""
    catalogue = load_catalogue()
    return [r for r in run.conformance["requirements"] if r["id"].startswith("CRE-") and catalogue[r["id"]].black_box]


def _leftovers(servers: MockServers) -> list[str]:
    snapshot = servers.snapshot()
    return [name for key in ("integrations", "users") for name in snapshot[key] if name.startswith(PREFIX)]


@pytest.fixture(scope="module")
def standalone_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SuiteRun, MockServers]]:
    """The standalone mock with a canary admin password, driven through the creatio target."""
    with start_mock(MockOptions(admin_password=CANARY)) as servers:
        run = run_suite(tmp_path_factory.mktemp("standalone"), "tests/conformance", env_file=_env_for(servers))
        yield run, servers


def test_creatio_target_against_standalone_mock_passes(standalone_run: tuple[SuiteRun, MockServers]) -> None:
    run, _ = standalone_run
    assert run.returncode == 0, run.stdout[-3000:]
    passed = int(re.search(r"(\d+) passed", run.stdout).group(1))  # type: ignore[union-attr]
    assert passed >= 20
    verdicts = run.verdicts()
    assert verdicts["CRE-health-preflight"] == "PASS"
    assert verdicts["CRE-active-off-existing"] == "REVIEW"


def test_run_leaves_nothing_on_the_target(standalone_run: tuple[SuiteRun, MockServers]) -> None:
    _, servers = standalone_run
    assert _leftovers(servers) == []


def test_canary_secret_and_tokens_never_in_clear(standalone_run: tuple[SuiteRun, MockServers]) -> None:
    run, _ = standalone_run
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for path in run.reports.rglob("*"):
        if path.is_file():
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    assert len(texts) > 5, "the run wrote no reports to scan"
    hits = {
        name: kinds
        for name, text in texts.items()
        if (kinds := [k for k, found in (("canary", CANARY in text), ("jwt", JWT.search(text)),
                                         ("client secret", CREATIO_SECRET.search(text)),
                                         ("basic credentials", BASIC_CREDENTIALS.search(text)),
                                         ("session cookie", _clear_session_values(text))) if found])
    }
    assert hits == {}


def test_forced_failure_still_cleans_up(tmp_path: Path) -> None:
    # A defect that breaks "credentials unchanged after an edit": those scenarios fail midway.
    with start_mock(MockOptions(defects=frozenset({"edit-rotates-secret"}))) as servers:
        run = run_suite(tmp_path, "tests/conformance", env_file=_env_for(servers))
        assert run.returncode == 1, run.stdout[-3000:]
        assert run.verdicts()["CRE-edit-keeps-credentials"] == "FAIL"
        assert _leftovers(servers) == []


def test_creatio_target_without_url_is_one_line_usage_error(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "tests/conformance", "--target=creatio")
    assert run.returncode == 4
    assert "CREATIO_URL is not set" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_unreachable_target_is_error_never_pass(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_closed_port()}"
    env = {
        "OAUTH_TARGET": "creatio",
        "CREATIO_URL": dead,
        "CREATIO_IDENTITY_URL": dead,
        "CREATIO_ADMIN_USER": "Supervisor",
        "CREATIO_ADMIN_PASSWORD": CANARY,
        "OAUTH_TIMEOUT": "2",
    }
    run = run_suite(tmp_path, "tests/conformance", env_file=env, timeout=120)
    assert run.returncode == 1
    verdicts = run.verdicts()
    assert verdicts["CRE-health-preflight"] == "ERROR"
    assert "PASS" not in verdicts.values() and "FAIL" not in verdicts.values()
    assert "ConnectError" in run.conformance["requirements"][0]["message"] or any(
        "ConnectError" in r["message"] for r in run.conformance["requirements"]
    )
    assert CANARY not in run.stdout + run.stderr


def test_diagnostics_not_green_skips_the_rest_with_the_health_message(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        servers.set_system_setting("OAuth20IdentityServerClientSecret", "not-the-system-secret")
        run = run_suite(tmp_path, "tests/conformance/test_creatio.py", env_file=_env_for(servers))
    assert run.returncode == 1
    requirements = {r["id"]: r for r in _creatio_black_box(run)}
    assert requirements.pop("CRE-health-preflight")["verdict"] == "FAIL"
    assert {r["verdict"] for r in requirements.values()} == {"SKIP"}
    assert all("Can't retrieve access_token" in r["message"] for r in requirements.values())


def test_without_admin_login_the_diagnostics_are_skipped_with_the_reason(tmp_path: Path) -> None:
    with start_mock(MockOptions()) as servers:
        env = {k: v for k, v in _env_for(servers).items() if not k.startswith("CREATIO_ADMIN")}
        run = run_suite(tmp_path, "tests/conformance/test_creatio.py", env_file=env)
    assert run.returncode == 0, run.stdout[-3000:]
    requirements = _creatio_black_box(run)
    assert {r["verdict"] for r in requirements} == {"SKIP"}
    assert all("needs CREATIO_ADMIN_USER" in r["message"] for r in requirements)


def test_oauth_target_against_the_standalone_mock_has_no_error(tmp_path: Path) -> None:
    with start_mock(MockOptions(profile="compliant")) as servers:
        run = run_suite(tmp_path, "tests/conformance", env_file=servers.oauth_env())
    verdicts = run.verdicts()
    assert "ERROR" not in verdicts.values(), run.stdout[-3000:]
    assert run.returncode == 0, run.stdout[-3000:]
    # The Creatio scenarios need a Creatio: skipped with that reason, never passed.
    assert {r["verdict"] for r in _creatio_black_box(run)} == {"SKIP"}
    assert verdicts["RFC6749-5.1-no-store"] == "PASS"
    assert verdicts["RFC6749-2.3.1-basic-urlencode"] == "PASS"


def test_without_waivers_the_creatio_profile_fails_naming_each_deviation(tmp_path: Path) -> None:
    from oauth_conformance.catalogue import load_catalogue
    from oauth_conformance.verdicts.waivers import load_waivers

    run = run_suite(tmp_path, "-p", "no:hypothesispytest", "tests/conformance", "--no-waivers")
    assert run.returncode == 1
    waived_ids = {w.id for w in load_waivers((ROOT / "profiles" / "creatio.toml",), load_catalogue())}
    verdicts = run.verdicts()
    assert {rid for rid, v in verdicts.items() if v in ("FAIL", "WARN")} == waived_ids
    assert all(rid in run.stdout for rid in waived_ids)


def test_oidf_compatible_profile_grades_invalid_client_400_as_warn(tmp_path: Path) -> None:
    run = run_suite(tmp_path, "-p", "no:hypothesispytest", "tests/conformance/test_rfc6749.py", "--no-waivers",
                    "--standards-profile=oidf-compatible")
    assert run.verdicts()["RFC6749-5.2-invalid-client-401"] == "WARN"
