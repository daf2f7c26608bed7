"""``oauth-conformance health`` against the standalone mock, in a subprocess from an empty folder: healthy
(exit 0) with the creatio and the oauth block, unhealthy (1) with a wrong secret or the Identity Service
down, unreachable or misconfigured (2); the JSON object, the Prometheus file, and no secret anywhere. The
monitoring recipes in docs/monitoring/ run only options that exist and name only metrics it writes."""

from __future__ import annotations

import argparse
import json
import re
import shlex
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML ships no stubs; a dev dependency

from oauth_conformance.commands import health
from oauth_conformance.health import CheckResult, HealthResult, prometheus_text
from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.suite_runner import ROOT, clean_environ
from tools.childrun import env_file_text

# One worker for the whole file: its module-scoped fixtures (servers, child runs) are set up once.
pytestmark = pytest.mark.xdist_group("test_health")

# The text format: a comment, or a sample without a timestamp (the textfile collector refuses those).
_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
_SAMPLE = re.compile(rf"(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{{(?P<labels>{_LABEL}(?:,{_LABEL})*)?\}} (?P<value>\S+)")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.")


@dataclass(frozen=True)
class Health:
    returncode: int
    stdout: str
    stderr: str

    @property
    def line(self) -> str:
        return self.stdout.strip()

    def json(self) -> dict[str, object]:
        document = json.loads(self.stdout)
        assert isinstance(document, dict)
        return document


def _secrets(*envs: dict[str, str]) -> tuple[str, ...]:
    return tuple(value for env in envs for name, value in env.items() if name.endswith("_SECRET") and value)


def _health(folder: Path, env: dict[str, str] | None, *args: str, secrets: tuple[str, ...] = ()) -> Health:
    """The command from ``folder`` (nothing else in it) with ``env`` as its env file; it must print no
    secret, no token, and leave nothing behind but the files it was asked to write."""
    before = set(folder.iterdir())
    options = list(args)
    if env is not None:
        env_file = folder.parent / f"{folder.name}.env"
        env_file.write_text(env_file_text(env), encoding="utf-8")
        options = ["--env-file", str(env_file), *options]
    done = subprocess.run([sys.executable, "-m", "oauth_conformance", "health", *options], cwd=folder,
                          env=clean_environ(), capture_output=True, text=True, timeout=120, check=False)
    written = set(folder.iterdir()) - before
    texts = [done.stdout, done.stderr, *(path.read_text(encoding="utf-8") for path in written if path.is_file())]
    for text in texts:
        assert not _JWT.search(text), text
        for secret in [*secrets, *_secrets(env or {})]:
            assert secret not in text
    # Nothing but what was asked for: no reports folder, no temporary file beside the Prometheus file.
    assert {path.name for path in written} <= {Path(a).name for a in args}, written
    return Health(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServers]:
    with start_mock(MockOptions()) as servers:
        yield servers


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    empty = tmp_path / "cwd"
    empty.mkdir()
    return empty


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- healthy ------------------------------------------------------------------------------------------


def test_the_mock_creatio_block_is_healthy(mock: MockServers, folder: Path) -> None:
    env, watched = mock.env(), mock.seed.watched
    assert watched is not None and watched.active
    assert (env["CREATIO_CLIENT_ID"], env["CREATIO_CLIENT_SECRET"]) == (watched.client_id, watched.client_secret)
    run = _health(folder, env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.fullmatch(r"healthy: diagnostics \d+ ms, token \d+ ms, api \d+ ms", run.line), run.line
    assert run.stderr == ""


def test_json_has_every_check_by_name(mock: MockServers, folder: Path) -> None:
    document = _health(folder, mock.env(), "--json").json()
    assert set(document) == {"status", "exit_status", "target", "integration", "checked_at", "message", "problem",
                             "checks"}
    assert (document["status"], document["exit_status"], document["target"]) == ("healthy", 0, "creatio")
    assert document["problem"] is None
    assert str(document["message"]).startswith("healthy: ")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", str(document["checked_at"]))
    watched = mock.seed.watched
    assert watched is not None
    integration = str(document["integration"])
    assert integration.startswith(watched.client_id[:4]) and watched.client_id not in integration
    checks = document["checks"]
    assert isinstance(checks, dict) and list(checks) == ["diagnostics", "token", "api"]
    for check in checks.values():
        assert set(check) == {"state", "detail", "duration_ms", "http_status"}
        assert check["state"] == "ok" and check["http_status"] == 200
        assert isinstance(check["duration_ms"], float) and check["duration_ms"] >= 0


def test_the_mock_oauth_block_is_healthy(mock: MockServers, folder: Path) -> None:
    run = _health(folder, mock.oauth_env(), "--json")
    document = run.json()
    assert run.returncode == 0 and document["status"] == "healthy" and document["target"] == "oauth", run.stdout
    checks = document["checks"]
    assert isinstance(checks, dict)
    assert checks["diagnostics"]["state"] == "unavailable" and checks["diagnostics"]["duration_ms"] is None
    assert (checks["token"]["state"], checks["api"]["state"]) == ("ok", "ok")


def test_the_admin_login_in_the_block_is_never_used(mock: MockServers, folder: Path) -> None:
    # A wrong admin password would fail any login: health uses the integration's credentials alone.
    env = mock.env() | {"CREATIO_ADMIN_PASSWORD": "not-the-admin-password"}
    run = _health(folder, env)
    assert run.returncode == 0, run.line


def test_without_an_allowed_entity_the_api_call_shows_the_token_taken(mock: MockServers, folder: Path) -> None:
    env = {name: value for name, value in mock.env().items() if name != "CREATIO_ALLOWED_ENTITY"}
    checks = _health(folder, env, "--json").json()["checks"]
    assert isinstance(checks, dict)
    assert checks["api"]["state"] == "ok" and checks["api"]["http_status"] in (200, 403)


@pytest.mark.parametrize(("options", "reason"), [
    (MockOptions(creatio_version="8.0"), "no OAuthHealthCheck in this build"),
    (MockOptions(hosting="cloud"), "a cloud tenant's Identity Service settings are Creatio's"),
])
def test_diagnostics_not_offered_leave_it_healthy(options: MockOptions, reason: str, folder: Path) -> None:
    with start_mock(options) as servers:
        run = _health(folder, servers.env())
    assert run.returncode == 0, run.line
    assert run.line.startswith(f"healthy: diagnostics n/a ({reason}), token "), run.line


# -- unhealthy ----------------------------------------------------------------------------------------


def test_a_wrong_client_secret_is_unhealthy(mock: MockServers, folder: Path) -> None:
    wrong = "wrong-secret-" + "5" * 20
    run = _health(folder, mock.env() | {"CREATIO_CLIENT_SECRET": wrong}, secrets=_secrets(mock.env()))
    assert run.returncode == 1, run.line
    assert "token refused (HTTP 400 invalid_client)" in run.line and "api skipped (no token)" in run.line
    assert run.line.startswith("unhealthy: ")


def test_the_identity_service_down_is_unhealthy(folder: Path) -> None:
    with start_mock(MockOptions(defects=frozenset({"health-green-identity-down"}))) as servers:
        run = _health(folder, servers.env(), "--json")
    document = run.json()
    assert run.returncode == 1 and document["status"] == "unhealthy", run.stdout
    checks = document["checks"]
    assert isinstance(checks, dict)
    assert checks["token"]["state"] == "failed" and checks["token"]["http_status"] == 503
    assert checks["api"]["state"] == "skipped"


def test_diagnostics_reporting_a_problem_are_unhealthy(folder: Path) -> None:
    # The token and the API work; the health check says the system token is not retrievable.
    with start_mock(MockOptions(defects=frozenset({"health-flags-wrong"}))) as servers:
        run = _health(folder, servers.env())
    assert run.returncode == 1, run.line
    assert run.line.startswith("unhealthy: diagnostics reports a problem (HTTP 200, HasProblem=False, not true: "
                               "IsAccessTokenRetrievableForSystemActions), token "), run.line


def test_a_wrong_secret_on_the_oauth_target_is_unhealthy(mock: MockServers, folder: Path) -> None:
    env = mock.oauth_env() | {"OAUTH_CLIENT_SECRET": "wrong-secret-" + "6" * 20}
    run = _health(folder, env, secrets=_secrets(mock.oauth_env()))
    assert run.returncode == 1 and "token refused (HTTP 400 invalid_client)" in run.line, run.line


# -- unreachable, misconfigured -------------------------------------------------------------------------


def test_a_closed_port_is_unreachable(folder: Path) -> None:
    closed = f"http://127.0.0.1:{_closed_port()}"
    env = {"OAUTH_TARGET": "creatio", "CREATIO_URL": closed, "CREATIO_IDENTITY_URL": closed,
           "CREATIO_CLIENT_ID": "watched-client", "CREATIO_CLIENT_SECRET": "closed-port-secret-" + "7" * 16}
    run = _health(folder, env)
    assert run.returncode == 2, run.line
    assert run.line.startswith("unreachable: ") and "token unreachable (" in run.line


@pytest.mark.parametrize(("change", "named"), [
    ({"CREATIO_CLIENT_SECRET": None}, "CREATIO_CLIENT_ID and CREATIO_CLIENT_SECRET go together"),
    ({"CREATIO_CLIENT_ID": None, "CREATIO_CLIENT_SECRET": None},
     "CREATIO_CLIENT_ID and CREATIO_CLIENT_SECRET are not set"),
    ({"CREATIO_URL": "http://crm.example"}, "CREATIO_URL='http://crm.example' uses plain http"),
    ({"OAUTH_TIMEOUT": "soon"}, "OAUTH_TIMEOUT='soon' is not a number"),
    ({"OAUTH_TARGET": "mock"}, "OAUTH_TARGET=mock: health watches a running server"),
])
def test_a_wrong_setting_exits_2_naming_it(mock: MockServers, folder: Path, change: dict[str, str | None],
                                           named: str) -> None:
    env = {name: value for name, value in (mock.env() | change).items() if value is not None}
    run = _health(folder, env, secrets=_secrets(mock.env()))
    assert run.returncode == 2 and run.line.startswith("misconfigured: ")
    assert named in run.line and "expected" in run.line and "\n" not in run.line, run.line


def test_a_missing_env_file_is_misconfigured(folder: Path) -> None:
    run = _health(folder, None, "--env-file", str(folder / "missing.env"), "--json")
    assert run.returncode == 2 and run.json()["status"] == "misconfigured"
    assert "missing.env: no such file" in str(run.json()["problem"])


# -- the Prometheus file ----------------------------------------------------------------------------------


def _samples(text: str) -> dict[tuple[str, str], float]:
    """(name, labels) → value; every line a comment or a sample."""
    samples: dict[tuple[str, str], float] = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# HELP ") or line.startswith("# TYPE "):
            continue
        match = _SAMPLE.fullmatch(line)
        assert match, f"not a sample: {line!r}"
        samples[(match["name"], match["labels"] or "")] = float(match["value"])
    return samples


def _value(samples: dict[tuple[str, str], float], name: str, label: str = "") -> float:
    found = [value for (metric, labels), value in samples.items() if metric == name and label in labels]
    assert len(found) == 1, (name, label, samples)
    return found[0]


def test_the_prometheus_file_parses_and_is_replaced_whole(mock: MockServers, folder: Path) -> None:
    path = folder / "oauth_health.prom"
    _health(folder, mock.env(), "--prometheus", str(path), "--name", "billing")
    samples = _samples(path.read_text(encoding="utf-8"))
    assert _value(samples, "oauth_conformance_health_up") == 1
    assert _value(samples, "oauth_conformance_health_status", 'status="healthy"') == 1
    assert _value(samples, "oauth_conformance_health_status", 'status="unhealthy"') == 0
    for check in ("diagnostics", "token", "api"):
        assert _value(samples, "oauth_conformance_health_check_up", f'check="{check}"') == 1
        assert _value(samples, "oauth_conformance_health_check_duration_seconds", f'check="{check}"') >= 0
    assert _value(samples, "oauth_conformance_health_last_run_timestamp_seconds") > 1.6e9
    assert all('target="creatio",integration="billing"' in labels for _, labels in samples)
    # Written again, unhealthy this time: the same file, whole, with no temporary file left beside it.
    wrong = mock.env() | {"CREATIO_CLIENT_SECRET": "wrong-secret-" + "8" * 20}
    run = _health(folder, wrong, "--prometheus", str(path), "--name", "billing", secrets=_secrets(mock.env()))
    assert run.returncode == 1
    samples = _samples(path.read_text(encoding="utf-8"))
    assert _value(samples, "oauth_conformance_health_up") == 0
    assert _value(samples, "oauth_conformance_health_check_up", 'check="token"') == 0
    assert not [s for s in samples if s[0] == "oauth_conformance_health_check_up" and 'check="api"' in s[1]]
    assert _value(samples, "oauth_conformance_health_check_available", 'check="api"') == 0
    assert [p.name for p in folder.iterdir()] == ["oauth_health.prom"]


def test_a_misconfiguration_is_written_to_the_prometheus_file_too(folder: Path) -> None:
    path = folder / "oauth_health.prom"
    run = _health(folder, {"OAUTH_TARGET": "creatio"}, "--prometheus", str(path))
    assert run.returncode == 2 and "CREATIO_URL is not set" in run.line
    samples = _samples(path.read_text(encoding="utf-8"))
    assert _value(samples, "oauth_conformance_health_up") == 0
    assert _value(samples, "oauth_conformance_health_status", 'status="misconfigured"') == 1


def test_a_prometheus_path_in_no_folder_is_misconfigured(folder: Path) -> None:
    run = _health(folder, {"OAUTH_TARGET": "creatio"}, "--prometheus", str(folder / "no" / "such.prom"))
    assert run.returncode == 2 and run.line.startswith("misconfigured: --prometheus ") and "no folder" in run.line


# -- the monitoring recipes --------------------------------------------------------------------------------

MONITORING = ROOT / "docs" / "monitoring"
_SHELL_OPERATORS = frozenset({">", ">>", "|", "||", "&&", ";", "2>&1"})


def _health_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oauth-conformance health", exit_on_error=False, allow_abbrev=False)
    health.add_arguments(parser)
    return parser


def _invocations(lines: list[str]) -> list[list[str]]:
    """The arguments of every ``oauth-conformance health`` in shell lines, up to the first shell operator;
    a synopsis ([--json]) is none."""
    found = []
    for line in lines:
        _, marker, rest = line.partition("oauth-conformance health")
        if marker and "[" not in rest:
            tokens = shlex.split(rest)
            cut = next((i for i, token in enumerate(tokens) if token in _SHELL_OPERATORS), len(tokens))
            found.append(tokens[:cut])
    return found


def _cron_lines(text: str) -> list[str]:
    """The entries of a crontab, those commented out included: an alternative offered must work too."""
    entry = re.compile(r"#?\s*(?:[0-9*/,-]+\s+){5}(?P<command>.+)")
    return [match["command"] for line in text.splitlines() if (match := entry.fullmatch(line))]


def _sh_blocks(text: str) -> list[str]:
    """The lines of a Markdown file's ```sh blocks, continuations joined."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line for block in blocks for line in block.replace("\\\n", " ").splitlines()]


def _cronjob_commands() -> list[list[str]]:
    documents = [d for d in yaml.safe_load_all((MONITORING / "kubernetes-cronjob.yaml").read_text()) if d]
    jobs = [d for d in documents if d["kind"] == "CronJob"]
    assert len(jobs) == 1 and {d["kind"] for d in documents} == {"CronJob", "ConfigMap"}
    pod = jobs[0]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    commands = [container["command"] for container in pod["containers"]]
    assert all(command[:2] == ["oauth-conformance", "health"] for command in commands)
    sources = [source for container in pod["containers"] for source in container["envFrom"]]
    assert any("secretRef" in source for source in sources), "the credentials come from a Secret"
    return [command[2:] for command in commands]


def test_the_recipes_run_only_options_that_exist() -> None:
    invocations = _cronjob_commands()
    for name, lines in (("crontab", _cron_lines), ("README.md", _sh_blocks), ("textfile-collector.md", _sh_blocks)):
        found = _invocations(lines((MONITORING / name).read_text(encoding="utf-8")))
        assert found, f"{name} runs no oauth-conformance health"
        invocations += found
    parser = _health_parser()
    for arguments in invocations:
        try:
            parser.parse_args(arguments)
        except (argparse.ArgumentError, SystemExit) as error:
            raise AssertionError(f"oauth-conformance health {shlex.join(arguments)}: {error}") from None


def test_the_recipes_name_only_metrics_the_file_holds() -> None:
    checks = (CheckResult("diagnostics", "ok", "", 0.01, 200), CheckResult("token", "ok", "", 0.02, 200),
              CheckResult("api", "ok", "", 0.01, 200))
    written = set(re.findall(r"^(oauth_conformance_health_\w+)\{", prometheus_text(
        HealthResult("creatio", "billing", checks, 1.7e9)), flags=re.MULTILINE))
    named: set[str] = set()
    for path in MONITORING.iterdir():
        named |= set(re.findall(r"oauth_conformance_health_\w+", path.read_text(encoding="utf-8")))
    assert named and named <= written, named - written
    rules = yaml.safe_load((MONITORING / "alerts.yaml").read_text(encoding="utf-8"))
    assert all(rule["alert"] and rule["expr"] for group in rules["groups"] for rule in group["rules"])
