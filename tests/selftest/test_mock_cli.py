"""Self-tests of ``python -m oauth_conformance.mock`` and of option validation."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import httpx2
import pytest

from oauth_conformance.mock import MockOptions
from oauth_conformance.mock.__main__ import main
from tests.selftest.suite_runner import clean_environ
from tools.childrun import env_file_text

COMMAND = [sys.executable, "-m", "oauth_conformance.mock"]


def test_help() -> None:
    result = subprocess.run([*COMMAND, "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0
    for option in ("--profile", "--deactivation", "--path-style", "--creatio-version", "--hosting", "--defect",
                   "--public-identity-url", "--issuer"):
        assert option in result.stdout


@pytest.mark.parametrize(("argv", "option"), [
    (["--profile", "bogus"], "--profile"),
    (["--deactivation", "never"], "--deactivation"),
    (["--path-style", "java"], "--path-style"),
    (["--creatio-version", "9.0"], "--creatio-version"),
    (["--hosting", "moon"], "--hosting"),
    (["--defect", "no-such-defect"], "--defect"),
    (["--creatio-port", "70000"], "--creatio-port"),
    (["--token-lifetime", "0"], "--token-lifetime"),
    (["--public-identity-url", "is.example"], "--public-identity-url"),
])
def test_bad_option_values_exit_2_naming_the_option(argv: list[str], option: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert option in capsys.readouterr().err


def test_bad_profile_in_a_subprocess() -> None:
    result = subprocess.run([*COMMAND, "--profile", "bogus"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--profile" in result.stderr


def _env_blocks(output: list[str]) -> dict[str, dict[str, str]]:
    """The printed ``.env`` blocks: each comment line heading the ``NAME=value`` lines after it."""
    blocks: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in output:
        if line.startswith("#"):
            current = blocks.setdefault(line, {})
        elif not line.strip():
            current = None
        elif current is not None:
            name, _, value = line.partition("=")
            current[name] = value
    return blocks


def _check_oauth_block(client: httpx2.Client, oauth: dict[str, str], creatio_url: str, identity_url: str) -> None:
    """The oauth block names the seeded clients and a resource their tokens may read."""
    assert set(oauth) == {"OAUTH_TARGET", "OAUTH_ISSUER", "OAUTH_CLIENT_ID", "OAUTH_CLIENT_SECRET",
                          "OAUTH_CLIENT2_ID", "OAUTH_CLIENT2_SECRET", "OAUTH_DISABLED_CLIENT_ID",
                          "OAUTH_DISABLED_CLIENT_SECRET", "OAUTH_RESOURCE_URL",
                          "OAUTH_SPECIAL_CLIENT_ID", "OAUTH_SPECIAL_CLIENT_SECRET", "OAUTH_PUBLIC_CLIENT_ID"}
    assert oauth["OAUTH_TARGET"] == "oauth" and oauth["OAUTH_ISSUER"] == identity_url
    assert oauth["OAUTH_RESOURCE_URL"] == creatio_url + "/0/odata/Currency"
    token_url = client.get(identity_url + "/.well-known/openid-configuration").json()["token_endpoint"]

    def token(prefix: str) -> httpx2.Response:
        return client.post(token_url, data={"grant_type": "client_credentials",
                                            "client_id": oauth[f"{prefix}_ID"],
                                            "client_secret": oauth[f"{prefix}_SECRET"]})

    issued = token("OAUTH_CLIENT")
    assert issued.status_code == 200, issued.text
    assert token("OAUTH_CLIENT2").status_code == 200
    refused = token("OAUTH_DISABLED_CLIENT")
    # The compliant profile this test runs answers invalid_client with 401 (RFC 6749 §5.2), Creatio's with 400.
    assert refused.status_code in (400, 401) and refused.json()["error"] == "invalid_client"
    resource = client.get(oauth["OAUTH_RESOURCE_URL"],
                          headers={"Authorization": f"Bearer {issued.json()['access_token']}"})
    assert resource.status_code == 200


def _check_watched_integration(env: dict[str, str], folder: Path) -> None:
    """The creatio block names an integration of its own that ``oauth-conformance health`` finds healthy."""
    assert env["CREATIO_CLIENT_ID"] and env["CREATIO_CLIENT_SECRET"]
    env_file = folder / "creatio.env"
    env_file.write_text(env_file_text(env), encoding="utf-8")
    health = subprocess.run([sys.executable, "-m", "oauth_conformance", "health", "--env-file", str(env_file)],
                            cwd=folder, env=clean_environ(), capture_output=True, text=True, timeout=60, check=False)
    # A cloud tenant (as this mock is) offers no diagnostics to watch: the other two checks decide.
    assert health.returncode == 0, health.stdout + health.stderr
    assert health.stdout.startswith("healthy: diagnostics n/a") and env["CREATIO_CLIENT_SECRET"] not in health.stdout


def test_serves_prints_env_block_and_stops_on_sigterm(tmp_path: Path) -> None:
    with subprocess.Popen([*COMMAND, "--profile", "compliant", "--defect", "json-charset", "--creatio-version", "8.2",
                           "--hosting", "cloud"],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as process:
        assert process.stdout is not None
        stdout = process.stdout
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            for line in stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        output: list[str] = []
        try:
            while not output or not output[-1].startswith("Serving"):
                output.append(lines.get(timeout=30).rstrip("\n"))
            blocks = _env_blocks(output)
            assert list(blocks) == ["# paste into .env to run the suite's creatio target against this mock",
                                    "# or paste this to run the suite's oauth target (standards checks only) "
                                    "against this mock"]
            env, oauth = blocks.values()
            assert env["OAUTH_TARGET"] == "creatio"
            assert env["CREATIO_ADMIN_USER"] == "Supervisor" and env["CREATIO_ADMIN_PASSWORD"] == "Supervisor"
            assert env["CREATIO_TECH_USER"] == "Conformance technical user"
            assert env["CREATIO_HOSTING"] == "cloud"
            assert (env["CREATIO_ALLOWED_ENTITY"], env["CREATIO_DENIED_ENTITY"]) == ("Currency", "Contact")
            with httpx2.Client(trust_env=False) as client:
                discovery = client.get(env["CREATIO_IDENTITY_URL"] + "/.well-known/openid-configuration")
                assert discovery.status_code == 200
                login = client.post(env["CREATIO_URL"] + "/ServiceModel/AuthService.svc/Login",
                                    json={"UserName": "Supervisor", "UserPassword": "Supervisor"})
                assert login.json()["Code"] == 0
                _check_oauth_block(client, oauth, env["CREATIO_URL"], env["CREATIO_IDENTITY_URL"])
            _check_watched_integration(env, tmp_path)
            assert any(line.startswith("Watched integration:") for line in output)
        finally:
            process.send_signal(signal.SIGTERM)
            returncode = process.wait(timeout=15)
    assert returncode == 0


def test_options_validation() -> None:
    with pytest.raises(ValueError, match="profile"):
        MockOptions(profile="bogus")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="token_lifetime"):
        MockOptions(token_lifetime=0)
    assert MockOptions(defects=["json-charset"]).defects == frozenset({"json-charset"})  # type: ignore[arg-type]
    assert MockOptions(path_style="netcore").app_prefix == ""
