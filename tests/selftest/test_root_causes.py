"""One root cause, one finding. A proxy in front of the mock's Identity Service breaks one shared
precondition (the metadata, the key set, the token endpoint): the requirement that decides it reports it
once, every check that needs it says what blocked it, the rest of the run proceeds, no ERROR appears, and
the summary leads with the root cause."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal

import httpx2

from oauth_conformance.mock import MockOptions, start_mock
from tests.selftest.suite_runner import SuiteRun, run_suite

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance",
        "--ignore=tests/conformance/test_creatio.py")

Fault = Literal["no-metadata", "no-key-set", "token-redirects"]
# (status, headers, body) the proxy answers instead of forwarding; None forwards.
Answer = tuple[int, dict[str, str], bytes]


def _fault(fault: Fault, key_set_path: str) -> Callable[[str, str], Answer | None]:
    def answer(method: str, path: str) -> Answer | None:
        if fault == "no-metadata" and path.startswith("/.well-known/"):
            return 404, {}, b""
        if fault == "no-key-set" and path == key_set_path:
            return 404, {"Content-Type": "text/html"}, b"<html>Not Found</html>"
        if fault == "token-redirects" and path.startswith("/connect/token"):
            return 302, {"Location": "/account/login"}, b""
        return None

    return answer


class _Proxy(BaseHTTPRequestHandler):
    """Forwards to the mock's Identity Service, except where the fault answers instead."""

    upstream = ""
    fault: Callable[[str, str], Answer | None] = staticmethod(lambda method, path: None)

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        injected = self.fault(self.command, self.path)
        if injected is not None:
            status, headers, content = injected
        else:
            sent = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            answer = httpx2.request(self.command, self.upstream + self.path, content=body, headers=sent)
            status, content = answer.status_code, answer.content
            headers = {name: value for name, value in answer.headers.items() if name.lower() not in
                       ("content-length", "transfer-encoding", "connection", "content-encoding")}
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = _forward

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the test reads the suite's reports, not the proxy's log."""


def _run(tmp_path: Path, fault: Fault, *, token_url: bool) -> SuiteRun:
    """The suite through a proxy that injects ``fault``; the mock names the proxy as its public URL, so
    its metadata and its tokens agree on the issuer, as a server behind a proxy configured for it does."""
    handler: type[_Proxy] = type("FaultyProxy", (_Proxy,), {})
    proxy = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    origin = f"http://127.0.0.1:{proxy.server_address[1]}"
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        with start_mock(MockOptions(profile="compliant", public_identity_url=origin)) as servers:
            handler.upstream = servers.identity_url
            metadata = httpx2.get(f"{servers.identity_url}/.well-known/openid-configuration").json()
            handler.fault = staticmethod(_fault(fault, httpx2.URL(str(metadata["jwks_uri"])).path))
            env = servers.oauth_env()
            if token_url:
                del env["OAUTH_ISSUER"]
                env["OAUTH_TOKEN_URL"] = f"{origin}/connect/token"
            return run_suite(tmp_path, *FAST, env_file=env)
    finally:
        proxy.shutdown()


def _assert_one_root_cause(run: SuiteRun, cause: str, verdict: str, at_least: int) -> list[str]:
    results = {r["id"]: r for r in run.conformance["requirements"]}
    assert [rid for rid, r in results.items() if r["verdict"] == "ERROR"] == [], json.dumps(
        {rid: r["message"] for rid, r in results.items() if r["verdict"] == "ERROR"}, indent=1)
    assert results[cause]["verdict"] == verdict, results[cause]["message"]
    blocked = [rid for rid, r in results.items() if r["message"].startswith(f"blocked by {cause}: ")]
    assert len(blocked) >= at_least and all(results[rid]["verdict"] == "SKIP" for rid in blocked)
    summary = run.stdout[run.stdout.index("requirements:"):]
    first = summary.splitlines()[1]
    assert first.startswith(f"root cause: {verdict} {cause} blocks {len(blocked)}"), summary[:2000]
    assert summary.index("root cause:") < summary.index("needs attention")
    return blocked


def test_no_metadata_is_one_finding_and_blocks_only_what_needs_it(tmp_path: Path) -> None:
    run = _run(tmp_path, "no-metadata", token_url=True)
    _assert_one_root_cause(run, "RFC9700-2.6-publish-metadata", "WARN", at_least=10)
    # The token endpoint's checks need no metadata: they go on.
    assert run.verdicts()["RFC6749-5.1-no-store"] == "PASS"


def test_no_metadata_and_no_token_url_blocks_everything_under_one_finding(tmp_path: Path) -> None:
    """With only an issuer there is no token endpoint to test: still one finding, and no ERROR."""
    run = _run(tmp_path, "no-metadata", token_url=False)
    blocked = _assert_one_root_cause(run, "RFC9700-2.6-publish-metadata", "WARN", at_least=50)
    assert "RFC6749-5.1-fields" in blocked


def test_a_key_set_answering_404_is_one_finding(tmp_path: Path) -> None:
    run = _run(tmp_path, "no-key-set", token_url=False)
    blocked = _assert_one_root_cause(run, "RFC7517-5-keys", "FAIL", at_least=3)
    assert {"JWKS-kid-resolves", "RFC7517-9.2-no-private"} <= set(blocked)
    # The token's own claims need no key set.
    assert run.verdicts()["RFC9068-2.1-typ"] == "PASS"


def test_a_redirecting_token_endpoint_is_one_finding(tmp_path: Path) -> None:
    run = _run(tmp_path, "token-redirects", token_url=False)
    blocked = _assert_one_root_cause(run, "RFC6749-5.1-fields", "FAIL", at_least=20)
    assert "RFC9068-2.1-typ" in blocked
    # Every form of the token request fails for the same reason: reported once, not once per form.
    assert [rid for rid, v in run.verdicts().items() if v == "FAIL"] == ["RFC6749-5.1-fields"]
    # The metadata needs no token.
    assert run.verdicts()["RFC8414-2-response-types"] == "PASS"
