"""The canary: a run at its most talkative (``--log-cli-level=DEBUG -l``, every report section shown and
written to JUnit, a log file) leaves no secret in clear on the console or in any file it writes.

Three runs: the bundled mock in-process (``OAUTH_TARGET=mock``), whose client secrets and session keys
the mock generates; the mock through the ``oauth`` target, with the secrets of its seeded clients named
in the settings; and a server that echoes every request back (its request line, headers and body, as
JSON and as text, and in response headers), so that each secret comes back in whatever form it was sent.

The forms looked for are worked out here, independently of the redactor: the secret itself,
form-urlencoded both ways, its JSON and Python-repr escapes, base64 alone, and HTTP Basic of its client
(base64 of the urlencoded and of the raw ``id:secret``). A file's text is searched as written, with XML
entities resolved, and, for JSON files, in each string they hold.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, quote_plus

import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from oauth_conformance.mock import MockOptions, start_mock
from oauth_conformance.mock.routing import Router
from oauth_conformance.mock.serving import ServerThread
from tests.selftest.suite_runner import SuiteRun, run_suite

EchoMode = Literal["json", "text"]

# As talkative as a run gets: live DEBUG logs, locals in tracebacks, every test's captured output in the
# terminal (-rA) and in JUnit, a DEBUG log file beside the reports. No Hypothesis: the canary is about
# channels, and the scenarios already send every kind of request.
_TALKATIVE = ("-p", "no:hypothesispytest", "--log-cli-level=DEBUG", "-l", "-rA", "-o", "junit_logging=all",
              "--log-file-level=DEBUG")
_STANDARDS = ("tests/conformance", "--ignore=tests/conformance/test_creatio.py")
# Creatio's client secrets and session keys: 32 random bytes as upper-case hex (creatio-oauth.md §1.3).
_GENERATED_HEX = re.compile(r"(?<![0-9A-Fa-f])[0-9A-F]{64}(?![0-9A-Fa-f])")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{24,}={0,2}")
_ECHO_TOKEN = "canary-echo-access-token-5f0c2a9e71d4"


@dataclass(frozen=True)
class _Client:
    setting: str  # the prefix of its settings, e.g. OAUTH_CLIENT2
    client_id: str
    secret: str


# Secrets with every character that an encoding changes (space, + % / & = " < > ' \), and one with the
# spaces around it that settings keep; client ids with some as well.
_ECHO_CLIENTS = (
    _Client("OAUTH_CLIENT", "canary-client", 'canary primary+1%/&="<x>\'\\z'),
    _Client("OAUTH_CLIENT2", "canary-client-2", "  canary second secret 2  "),
    _Client("OAUTH_DISABLED_CLIENT", "canary-disabled", "canary-disabled-secret-3"),
    _Client("OAUTH_SPECIAL_CLIENT", "canary special:client+%", "canary special secret: +%&=/4"),
    _Client("OAUTH_INTROSPECTION_CLIENT", "canary-introspector", "canary introspector secret 5"),
)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _forms(client_id: str, secret: str) -> dict[str, str]:
    """Each form a secret may travel or be written in, by name."""
    forms = {
        "raw": secret,
        "stripped": secret.strip(),
        "form-urlencoded (quote_plus)": quote_plus(secret),
        "percent-encoded (quote)": quote(secret, safe=""),
        "JSON-escaped": json.dumps(secret)[1:-1],
        "repr-escaped": repr(secret)[1:-1],
        "base64": _b64(secret),
        "Basic (urlencoded id:secret)": _b64(f"{quote(client_id, safe='')}:{quote(secret, safe='')}"),
        "Basic (quote_plus id:secret)": _b64(f"{quote_plus(client_id)}:{quote_plus(secret)}"),
        "Basic (raw id:secret)": _b64(f"{client_id}:{secret}"),
    }
    return {name: form for name, form in forms.items() if len(form) >= 4}


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _json_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_strings(item)


def _readings(path: Path) -> list[str]:
    """A file's text as written, with XML entities resolved, and (JSON) the strings it holds."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    readings = [text, html.unescape(text)]
    if path.suffix in (".json", ".jsonl"):
        lines = [text] if path.suffix == ".json" else text.splitlines()
        for line in lines:
            with contextlib.suppress(json.JSONDecodeError):  # a partial line is searched as text above
                readings.append("\n".join(_json_strings(json.loads(line))))
    return readings


def _channels(run: SuiteRun) -> dict[str, list[str]]:
    """Every place the run wrote to: the console and each file under its reports folder."""
    channels = {"stdout": [run.stdout], "stderr": [run.stderr]}
    for path in sorted(run.reports.rglob("*")):
        if path.is_file():
            channels[str(path.relative_to(run.reports))] = _readings(path)
    return channels


def _leaks(run: SuiteRun, secrets: dict[str, dict[str, str]]) -> list[str]:
    """Where each form of each secret appears, with a little context."""
    found = []
    for channel, readings in _channels(run).items():
        for owner, forms in secrets.items():
            for name, form in forms.items():
                for reading in readings:
                    at = reading.find(form)
                    if at >= 0:
                        found.append(f"{owner} {name} in {channel}: …{reading[max(at - 60, 0):at + len(form) + 20]!r}")
                        break
    return found


def _generated_leaks(run: SuiteRun) -> list[str]:
    """Secrets the mock made up (no one configured them): its hex secrets and session keys, JWTs, and
    either of them inside base64 (a Basic credential, a cookie)."""
    found = []
    for channel, readings in _channels(run).items():
        text = readings[0]
        hits = [f"hex {m.group(0)[:12]}…" for m in _GENERATED_HEX.finditer(text)]
        hits += [f"JWT {m.group(0)[:24]}…" for m in _JWT.finditer(text)]
        for match in _BASE64_RUN.finditer(text):
            run_text = match.group(0).replace("-", "+").replace("_", "/")
            try:
                decoded = base64.b64decode(run_text + "=" * (-len(run_text) % 4)).decode("latin-1")
            except (binascii.Error, ValueError):
                continue
            if _GENERATED_HEX.search(decoded) or _JWT.search(decoded):
                hits.append(f"base64 of a secret {match.group(0)[:16]}…")
        found += [f"{channel}: {hit}" for hit in hits[:3]]
    return found


def _talkative_run(tmp_path: Path, env: dict[str, str], *args: str) -> SuiteRun:
    reports = tmp_path / "reports"
    run = run_suite(tmp_path, *_TALKATIVE, f"--log-file={reports / 'suite.log'}", *args, env_file=env,
                    timeout=300)
    assert "INTERNALERROR" not in run.stdout + run.stderr, run.stdout[-3000:] + run.stderr[-3000:]
    assert (reports / "conformance.json").is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    return run


def _assert_talkative(run: SuiteRun) -> None:
    """The run did show what the canary is about: live DEBUG records of the HTTP client, and tracebacks."""
    assert "DEBUG    httpcore2" in run.stdout and "INFO     httpx2" in run.stdout
    assert (run.reports / "suite.log").stat().st_size > 0


# -- the bundled mock --------------------------------------------------------------------------------


def test_the_bundled_mock_in_process_leaves_no_secret_anywhere(tmp_path: Path) -> None:
    # Without waivers the creatio profile's known deviations fail, so tracebacks (with locals) are shown.
    # The search too, with its whole budget: the near-copies of a secret it sends (truncated, one
    # character changed, spaces inside, case flipped) are what its redaction rests on, and a few examples
    # would send only some of its kinds of request.
    run = _talkative_run(tmp_path, {"OAUTH_TARGET": "mock"}, "tests/conformance",
                         "--no-waivers", "--search=on")
    _assert_talkative(run)
    assert "FAILED" in run.stdout  # tracebacks with -l locals were printed
    messages = " ".join(f["message"] for r in run.conformance["requirements"] for f in r["findings"])
    assert "by the lifecycle search" in messages and "by the token endpoint search" in messages
    password = MockOptions().admin_password
    assert _leaks(run, {"the mock's admin password": _forms(MockOptions().admin_user, password)}) == []
    assert _generated_leaks(run) == []


def test_the_mock_through_the_oauth_target_leaves_no_configured_secret_anywhere(tmp_path: Path) -> None:
    with start_mock(MockOptions(profile="compliant")) as mock:
        env = mock.oauth_env()
        run = _talkative_run(tmp_path, env, *_STANDARDS)
    _assert_talkative(run)
    secrets = {
        prefix: _forms(env[f"{prefix}_ID"], env[f"{prefix}_SECRET"])
        for prefix in ("OAUTH_CLIENT", "OAUTH_CLIENT2", "OAUTH_DISABLED_CLIENT", "OAUTH_SPECIAL_CLIENT")
    }
    assert _leaks(run, secrets) == []
    assert _generated_leaks(run) == []


# -- a server that echoes every request ----------------------------------------------------------------


def _echo(mode: EchoMode, base: str) -> Router:
    """Every request answered 200 with itself: its request line, headers and body. As JSON, the answer
    also carries what lets a run go on (metadata naming this server, a token, ``active``), so that every
    kind of request is sent; as text, nothing else. The request's credentials come back in response
    headers too."""

    async def answer(request: Request) -> Response:
        body = (await request.body()).decode("utf-8", errors="replace")
        query = f"?{request.url.query}" if request.url.query else ""
        line = f"{request.method} {request.url.path}{query} HTTP/{request.scope.get('http_version', '1.1')}"
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        echoed = {"X-Echo-Line": line, "X-Echo-Authorization": request.headers.get("authorization", "-"),
                  "X-Echo-Body": body.encode("latin-1", errors="replace").decode("latin-1")[:300] or "-"}
        if mode == "text":
            lines = [line, *(f"{name}: {value}" for name, value in headers), "", body]
            return PlainTextResponse("\n".join(lines), headers=echoed)
        document = {
            "issuer": base, "token_endpoint": f"{base}/token", "introspection_endpoint": f"{base}/introspect",
            "revocation_endpoint": f"{base}/revoke", "jwks_uri": f"{base}/jwks", "keys": [],
            "access_token": _ECHO_TOKEN, "token_type": "Bearer", "expires_in": 300, "active": True,
            "request": {"line": line, "headers": headers, "body": body},
        }
        return JSONResponse(document, headers=echoed)

    return Router(not_found=answer)


@pytest.fixture(params=["json", "text"])
def echoing_server(request: pytest.FixtureRequest) -> Iterator[tuple[EchoMode, str]]:
    mode: EchoMode = request.param
    server = ServerThread(f"echo-{mode}", "127.0.0.1", 0)
    base = f"http://127.0.0.1:{server.port}"
    server.app = _echo(mode, base)
    server.start()
    try:
        yield mode, base
    finally:
        server.stop()


def test_a_server_echoing_every_request_gets_no_secret_into_any_output(
    tmp_path: Path, echoing_server: tuple[EchoMode, str]
) -> None:
    mode, base = echoing_server
    env = {
        # A token URL one segment deep: the issuer is found from it (its origin).
        "OAUTH_TARGET": "oauth", "OAUTH_TOKEN_URL": f"{base}/token",
        "OAUTH_RESOURCE_URL": f"{base}/api/resource", "OAUTH_DENIED_RESOURCE_URL": f"{base}/api/denied",
        "OAUTH_PUBLIC_CLIENT_ID": "canary-public",
    }
    for client in _ECHO_CLIENTS:
        env |= {f"{client.setting}_ID": client.client_id, f"{client.setting}_SECRET": client.secret}
    run = _talkative_run(tmp_path, env, *_STANDARDS)
    _assert_talkative(run)
    # The secrets did travel, both ways, and came back: the evidence shows them masked.
    evidence = (run.reports / "evidence.jsonl").read_text(encoding="utf-8")
    assert '["authorization", "Basic ' in evidence and "client_secret=" in evidence and "…#" in evidence
    secrets = {client.setting: _forms(client.client_id, client.secret) for client in _ECHO_CLIENTS}
    if mode == "json":
        # The server issued it: the run sent it back as a bearer token, and the server echoed it.
        secrets["the issued token"] = {"raw": _ECHO_TOKEN, "base64": _b64(_ECHO_TOKEN)}
        assert "FAILED" in run.stdout  # a server that accepts everything fails checks: tracebacks shown
    assert _leaks(run, secrets) == []
