"""One root cause, one finding: a server that publishes no metadata, reached through its token URL, is
reported once (RFC 9700 §2.6), every check that needs the metadata says what blocked it, the rest of the
run proceeds, and the summary leads with the root cause."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from oauth_conformance.mock import MockOptions, MockServers, start_mock
from tests.selftest.suite_runner import run_suite

FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance",
        "--ignore=tests/conformance/test_creatio.py")
ROOT_CAUSE = "RFC9700-2.6-publish-metadata"


def _hiding_metadata(upstream: str) -> type[BaseHTTPRequestHandler]:
    class Proxy(BaseHTTPRequestHandler):
        """Forwards to the mock's Identity Service, except that every well-known document is a 404."""

        def _forward(self) -> None:
            if self.path.startswith("/.well-known/"):
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            answer = httpx.request(self.command, upstream + self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the test reads the suite's reports, not the proxy's log."""

    return Proxy


@pytest.fixture
def no_metadata() -> Iterator[tuple[MockServers, str]]:
    with start_mock(MockOptions(profile="compliant")) as servers:
        proxy = ThreadingHTTPServer(("127.0.0.1", 0), _hiding_metadata(servers.identity_url))
        threading.Thread(target=proxy.serve_forever, daemon=True).start()
        try:
            yield servers, f"http://127.0.0.1:{proxy.server_port}"
        finally:
            proxy.shutdown()


def test_no_metadata_is_one_finding_and_blocks_only_what_needs_it(
    tmp_path: Path, no_metadata: tuple[MockServers, str]
) -> None:
    servers, proxy = no_metadata
    env = servers.oauth_env()
    del env["OAUTH_ISSUER"]
    env["OAUTH_TOKEN_URL"] = f"{proxy}/connect/token"
    run = run_suite(tmp_path, *FAST, env_file=env)
    results = {r["id"]: r for r in run.conformance["requirements"]}
    assert [rid for rid, r in results.items() if r["verdict"] == "ERROR"] == []
    assert results[ROOT_CAUSE]["verdict"] == "WARN"
    blocked = [rid for rid, r in results.items() if r["message"].startswith(f"blocked by {ROOT_CAUSE}: ")]
    assert len(blocked) >= 10 and all(results[rid]["verdict"] == "SKIP" for rid in blocked)
    # The token endpoint's checks need no metadata: they go on.
    assert results["RFC6749-5.1-no-store"]["verdict"] == "PASS"
    summary = run.stdout[run.stdout.index("requirements:"):]
    assert summary.index(f"root cause: WARN {ROOT_CAUSE} blocks {len(blocked)}") < summary.index("needs attention")
