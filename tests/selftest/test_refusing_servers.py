"""A verdict must be earned: against a server that refuses everything (500, 400, 401 with every
challenge, a redirect, an HTML page), no check may PASS. A refusal counts only after the same run
showed the server doing the valid thing, and such a server never does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from oauth_conformance.mock.routing import Router
from oauth_conformance.mock.serving import ServerThread
from tests.selftest.suite_runner import run_suite

Refusal = Literal["500", "400", "401", "redirect", "html"]
FAST = ("-p", "no:hypothesispytest", "-p", "no:allure_pytest_bdd", "tests/conformance",
        "--ignore=tests/conformance/test_creatio.py")


def _refusing(kind: Refusal) -> Router:
    async def answer(request: Request) -> Response:
        await request.body()
        if kind == "500":
            return Response("Internal Server Error", status_code=500, media_type="text/plain")
        if kind == "400":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if kind == "401":
            # Every challenge a refusal check looks for, on every answer.
            challenges = 'Basic realm="conformance", Bearer error="invalid_token"'
            return JSONResponse({"error": "invalid_client"}, status_code=401, headers={"WWW-Authenticate": challenges})
        if kind == "redirect":
            return Response(status_code=302, headers={"Location": "/login"})
        return HTMLResponse("<!doctype html><html><body><form>Sign in</form></body></html>")

    return Router(not_found=answer)


@pytest.fixture(params=["500", "400", "401", "redirect", "html"])
def refusing_server(request: pytest.FixtureRequest) -> Iterator[str]:
    server = ServerThread(f"refusing-{request.param}", "127.0.0.1", 0)
    server.app = _refusing(request.param)
    server.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
    finally:
        server.stop()


def test_no_check_passes_against_a_server_that_refuses_everything(tmp_path: Path, refusing_server: str) -> None:
    base = refusing_server
    env = {
        "OAUTH_TARGET": "oauth",
        "OAUTH_ISSUER": base,
        "OAUTH_TOKEN_URL": f"{base}/connect/token",
        "OAUTH_CLIENT_ID": "conformance-client",
        "OAUTH_CLIENT_SECRET": "conformance-secret-1",
        "OAUTH_CLIENT2_ID": "conformance-client-2",
        "OAUTH_CLIENT2_SECRET": "conformance-secret-2",
        "OAUTH_DISABLED_CLIENT_ID": "conformance-disabled",
        "OAUTH_DISABLED_CLIENT_SECRET": "conformance-secret-3",
        "OAUTH_RESOURCE_URL": f"{base}/api/resource",
        "OAUTH_DENIED_RESOURCE_URL": f"{base}/api/denied",
        "OAUTH_PUBLIC_CLIENT_ID": "conformance-public",
        "OAUTH_SPECIAL_CLIENT_ID": "conformance special:client",
        "OAUTH_SPECIAL_CLIENT_SECRET": "secret+with%special chars",
    }
    run = run_suite(tmp_path, *FAST, "--no-waivers", env_file=env)
    passed = {r["id"]: r["message"] for r in run.conformance["requirements"] if r["verdict"] == "PASS"}
    assert sorted(passed) == [], passed
